-- screen: import `Evil.Backdoor`
import Mathlib
import Evil.Backdoor
theorem t : True := trivial
