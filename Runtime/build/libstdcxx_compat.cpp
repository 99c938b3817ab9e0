// Compatibility shim for systems whose libstdc++ predates GCC 13 (for example Debian 12).
//
// TorchSharp's libLibTorchSharp.so is linked against GCC 13's libstdc++ and references
// std::ios_base_library_init() with symbol version GLIBCXX_3.4.32. GCC 13 added that function
// only so that <iostream> objects are initialised once per library; older libstdc++ initialises
// them from its own static constructor, so an empty definition is all that is needed.
//
// The build (LayerDsl.Runtime.targets) compiles this file into libstdcxx_compat.so, marks the
// GLIBCXX_3.4.32 requirement of a copy of libLibTorchSharp.so as weak and adds this library to
// its DT_NEEDED list. It is only done when the system libstdc++ lacks GLIBCXX_3.4.32.
namespace std
{
    void ios_base_library_init() {}
}
