-- screen: `run_tac`
example : True := by
  run_tac pure ()
  trivial
