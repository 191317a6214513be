// The other translation unit of asan_init_order_main.cpp: a dynamically initialized global.
int compute_other() { return 42; }
int other_value = compute_other();
