"""The benchmarks' parts, one concern a module: nlu_* for scripts/bench_nlu.py,
understanding_* for scripts/bench_understanding.py, kakao_* for scripts/bench_kakao.py. What they share with each other and with the tests is in devkit/."""
