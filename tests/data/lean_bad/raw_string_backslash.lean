-- screen: `#eval`
def r : String := r"\" #eval (1 : Nat) -- "
