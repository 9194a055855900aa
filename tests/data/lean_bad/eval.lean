-- screen: `#eval`
theorem t : True := trivial
#eval IO.println "hello"
