-- screen: `#exit`
theorem ok : True := trivial
#exit
theorem never_checked : False := by simp
