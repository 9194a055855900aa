-- screen: `run_cmd`
open Lean in
run_cmd logInfo "hi"
