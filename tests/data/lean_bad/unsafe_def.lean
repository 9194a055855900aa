-- screen: `unsafe`
unsafe def coerce (n : Nat) : Int := unsafeCast n
