-- screen: U+202E
theorem t : True := trivial -- ‮ } #eval IO.println 1 {
