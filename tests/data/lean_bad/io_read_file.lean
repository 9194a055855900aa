-- screen: `IO`
def secret : IO String := IO.FS.readFile "/etc/passwd"
