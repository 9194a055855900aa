-- screen: `include_str`
def secret : String := include_str "/etc/passwd"
