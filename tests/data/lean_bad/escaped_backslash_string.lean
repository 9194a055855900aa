-- screen: `#eval`
def s : String := "abc\\" #eval IO.println 1 --"
