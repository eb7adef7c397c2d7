"""Writes predict.lua: a wrk script POSTing /predict batches of 100 lines from the lid fixture.

python3 Sources/Benchmarks/serve/make_predict_body.py > /tmp/predict.lua
"""
import json
import pathlib

fixture = pathlib.Path(__file__).parents[3] / "Tests/EmbeddingStoreTests/Fixtures/lid/mixed-input.txt"
lines = [line.strip() for line in fixture.read_text(encoding="utf-8").splitlines() if line.strip()][:100]
body = json.dumps({"lines": lines, "k": 1})
print('wrk.method = "POST"')
print('wrk.headers["Content-Type"] = "application/json"')
print("wrk.body = " + json.dumps(body))
print('request = function() return wrk.format(nil, "/predict") end')
