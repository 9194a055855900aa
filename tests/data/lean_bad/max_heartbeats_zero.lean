-- screen: `set_option maxHeartbeats 0`
set_option maxHeartbeats 0 in
theorem slow : True := trivial
