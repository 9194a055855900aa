-- screen: `#guard_msgs`
/-- error: nothing -/
#guard_msgs in
theorem hidden : True := trivial
