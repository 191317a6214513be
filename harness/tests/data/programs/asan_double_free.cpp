// ASan "attempting double-free": deletes the same pointer twice.
int main() {
  int* volatile p = new int(1);
  delete p;
  delete p;  // line:second-delete
  return 0;
}
