/- This file mentions every dangerous token, but only in comments and literals:
   #eval IO.println "x", run_cmd, unsafe, @[extern "c"], native_decide, #exit.
   /- nested: initialize, macro_rules, set_option maxHeartbeats 0 -/
   still a comment: import Lean -/

-- #eval IO.FS.readFile "/etc/passwd"
-- #exit

/-- A doc comment that talks about `IO`, `unsafe` and `#eval` in prose. -/
def greeting : String := "#eval IO.println \"hi\" -- run_cmd unsafe"

/-! Module doc: `set_option maxRecDepth 100000` is what we never do. -/

def hashChar : Char := '#'
def quoteChar : Char := '"'
def backslash : Char := '\\'
def escaped : String := "a \" quote -- not a comment /- nor this -/"
def h' (x'' : Nat) : Nat := x'' + 1
def αβ (γ : Nat) : Nat := γ
def shown (n : Nat) : String := s!"n = {n + 1}, braces \{ok}"
def raw : String := r#"raw "#eval" text"#

theorem fake_ok : h' 1 = 2 := rfl
