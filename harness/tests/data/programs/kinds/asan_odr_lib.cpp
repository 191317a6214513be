// ASan odr-violation: capture.sh builds this file twice into two shared libraries, with
// ODR_SIZE 4 and 8, so both define `odr_global` with different sizes; asan_odr_main.cpp links
// both. ODR_FUNC names the one function each library exports.
extern int odr_global[ODR_SIZE];
int odr_global[ODR_SIZE] = {1};  // line:odr-global
extern "C" int ODR_FUNC() { return odr_global[0]; }
