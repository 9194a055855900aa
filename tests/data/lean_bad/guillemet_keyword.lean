-- screen: `#eval`
def «#eval» := 1
#«eval» 1
