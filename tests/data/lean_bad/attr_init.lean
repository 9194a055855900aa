-- screen: attribute `[init]`
def setup : Nat := 0
@[init setup] opaque hook : Nat
