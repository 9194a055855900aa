-- screen: `#eval`
/- a note with a "quote: -/ #eval IO.println 1 -- " -/
theorem t : True := trivial
