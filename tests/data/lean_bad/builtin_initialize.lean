-- screen: `builtin_initialize`
builtin_initialize pure ()
