-- screen: metaprogramming
open Lean Meta in
def probe : MetaM Unit := pure ()
