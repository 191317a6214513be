#!/usr/bin/python3
"""The README's "Use racebook in your project" shows files that the test command runs: its
CMake block must be examples/spsc/CMakeLists.txt (from cmake_minimum_required on), its marker
line must be in the example's library header, and the workflow it points to must use the parse
options the harness has.
   readme_snippets_check.py PROJECT_DIR HARNESS"""
import pathlib, re, subprocess, sys

project, harness = pathlib.Path(sys.argv[1]), sys.argv[2]
readme = (project / "README.md").read_text()
section = readme.split("## Use racebook in your project", 1)[1].split("\n## ", 1)[0]
problems = []

cmake_blocks = re.findall(r"```cmake\n(.*?)```", section, re.S)
example = (project / "examples/spsc/CMakeLists.txt").read_text()
example = example[example.index("cmake_minimum_required"):]
if cmake_blocks != [example]:
    problems.append("the README's CMake block is not examples/spsc/CMakeLists.txt")

for line in re.findall(r"```cpp\n(.*?)```", section, re.S):
    if line.strip() not in (project / "examples/spsc/include/spsc/queue.hpp").read_text():
        problems.append(f"not in the example's header: {line.strip()}")

workflow = (project / "docs/examples/github-tsan-sarif.yml").read_text()
help_text = subprocess.run([harness, "parse", "--help"], capture_output=True, text=True).stdout
for option in sorted(set(re.findall(r"racebook-harness parse[^\n]*", workflow))):
    for flag in re.findall(r"--[a-z-]+", option):
        if flag not in help_text:
            problems.append(f"the workflow uses {flag}, which parse does not have")

for p in problems:
    print("readme_snippets_check:", p)
sys.exit(1 if problems else 0)
