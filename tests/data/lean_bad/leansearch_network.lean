-- screen: `#leansearch`
import Mathlib
#leansearch "sum of squares is nonnegative"
