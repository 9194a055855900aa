-- screen: `macro_rules`
macro_rules
  | `(tactic| trivial) => `(tactic| rfl)
