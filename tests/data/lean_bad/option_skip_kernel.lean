-- screen: option `debug.skipKernelTC`
set_option debug.skipKernelTC true
theorem lie : True := trivial
