-- screen: `simproc`
simproc reduceFoo (Nat.succ _) := fun _ => pure .continue
