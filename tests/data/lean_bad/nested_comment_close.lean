-- screen: `run_cmd`
/- outer /- inner -/ still comment -/ run_cmd pure ()
