-- screen: import `Lean`
import Lean
theorem t : True := trivial
