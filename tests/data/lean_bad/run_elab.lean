-- screen: `run_elab`
run_elab pure ()
