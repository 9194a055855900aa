-- screen: removes the limit
set_option maxHeartbeats 0x0
theorem slow : True := trivial
