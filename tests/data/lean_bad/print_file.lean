-- screen: `#print`
#print "/etc/passwd"
