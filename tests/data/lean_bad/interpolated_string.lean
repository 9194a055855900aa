-- screen: escapes the kernel
def x : String := s!"{unsafeCast (1 : Nat) : String}"
