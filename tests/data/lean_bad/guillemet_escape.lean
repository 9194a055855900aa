-- screen: input/output
def p := «IO».FS.readFile
