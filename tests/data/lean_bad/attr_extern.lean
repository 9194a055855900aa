-- screen: `extern`
@[extern "system"] opaque sys : Nat → Nat
