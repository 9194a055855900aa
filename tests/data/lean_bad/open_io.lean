-- screen: `IO`
open IO in
def hello := println "hi"
