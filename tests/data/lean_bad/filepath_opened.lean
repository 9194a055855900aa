-- screen: input/output
open System in
def p : FilePath := "/root"
