-- screen: U+200B
def x​ := 1
