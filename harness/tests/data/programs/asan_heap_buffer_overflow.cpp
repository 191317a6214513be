// ASan "heap-buffer-overflow": writes one past the end of a new[]'d array.
int main(int argc, char**) {
  int* a = new int[4];
  a[argc + 3] = 1;  // line:overflow  (argc is 1: index 4)
  int r = a[0];
  delete[] a;
  return r;
}
