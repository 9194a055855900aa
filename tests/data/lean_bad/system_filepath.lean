-- screen: `System.FilePath`
def home : System.FilePath := "/root"
