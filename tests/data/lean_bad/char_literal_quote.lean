-- screen: `#eval`
def q : Char := '"' #eval IO.println 1 -- "
