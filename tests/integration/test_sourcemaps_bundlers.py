"""Source maps as the real bundlers make them upload: esbuild, webpack, Rollup, Vite and Terser (the pinned npm
devDependencies) build one small app with source maps on, and ``rumcfn sourcemaps upload`` puts every map into
moto's S3. Source Map V3 makes ``file`` optional and esbuild and Terser leave it out; AWS's guide ("Enabling
unminification of JavaScript error stack traces") requires it, so the upload fills it in from the map's name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from tests.support import ROOT

REGION = "eu-west-1"
BUCKET = "bundler-maps"
BIN = ROOT / "node_modules" / ".bin"

MAIN = """import { greet } from "./greet.js";
export function start(name) {
  const message = greet(name);
  if (!name) throw new Error("no name");
  return message;
}
globalThis.greeting = start(globalThis.location ? globalThis.location.search : "");
"""
GREET = "export function greet(who) { return `hello ${who}`; }\n"

WEBPACK = """const webpack = require("webpack");
const path = require("path");
const compiler = webpack({mode: "production", devtool: "source-map", context: process.cwd(), entry: "./src/main.js",
                          output: {path: path.resolve("dist"), filename: "main.js"}});
compiler.run((err, stats) => {
  if (err || stats.hasErrors()) { console.error(err || stats.toString()); process.exitCode = 1; }
  compiler.close(() => {});
});
"""
VITE = """export default { logLevel: "error", build: { sourcemap: true, outDir: "dist", minify: true,
  lib: { entry: "src/main.js", formats: ["es"], fileName: "main" } } };
"""

#: bundler -> (its command line, run in the app's folder; the map it writes under dist/)
BUNDLERS = {
    "esbuild": ([BIN / "esbuild", "src/main.js", "--bundle", "--minify", "--sourcemap", "--outfile=dist/main.js",
                 "--log-level=error"], "main.js.map"),
    "webpack": (["node", "webpack.cjs"], "main.js.map"),
    "rollup": ([BIN / "rollup", "src/main.js", "--sourcemap", "--format", "es", "--file", "dist/main.js",
                "--silent"], "main.js.map"),
    "vite": ([BIN / "vite", "build", "--config", "vite.config.mjs"], "main.mjs.map"),
    "terser": ([BIN / "terser", "src/greet.js", "--compress", "--mangle", "--source-map",
                "url='greet.min.js.map'", "-o", "dist/greet.min.js"], "greet.min.js.map"),
}


def bundle(name: str, app: Path) -> Path:
    """The app built by one bundler; returns the map it wrote."""
    (app / "src").mkdir(parents=True)
    (app / "src" / "main.js").write_text(MAIN)
    (app / "src" / "greet.js").write_text(GREET)
    (app / "webpack.cjs").write_text(WEBPACK)
    (app / "vite.config.mjs").write_text(VITE)
    command, made = BUNDLERS[name]
    if not Path(command[0]).exists() and command[0] != "node":
        pytest.fail(f"node_modules lacks {name}: run `npm ci` (make test does)", pytrace=False)
    done = subprocess.run([str(part) for part in command], cwd=app, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, NODE_PATH=str(ROOT / "node_modules")))
    assert done.returncode == 0, done.stderr
    return app / "dist" / made


@pytest.mark.parametrize("name", list(BUNDLERS))
def test_maps_from_each_bundler_upload_with_file_set(name, tmp_path, aws_env):
    source_map = bundle(name, tmp_path / "app")
    made = json.loads(source_map.read_text())
    assert made["version"] == 3 and made["mappings"]
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    done = subprocess.run(
        [sys.executable, "-m", "rumcfn", "sourcemaps", "upload", "dist", "--release-id", "r1",
         "--s3-uri", f"s3://{BUCKET}/maps", "--region", REGION],
        cwd=tmp_path / "app", capture_output=True, text=True, timeout=120, env=dict(os.environ),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"uploaded 1, unchanged 0 source map(s) in s3://{BUCKET}/maps/r1/"
    uploaded = json.loads(s3.get_object(Bucket=BUCKET, Key=f"maps/r1/{source_map.name}")["Body"].read())
    assert uploaded["file"] == made.get("file", source_map.name.removesuffix(".map"))
    assert (source_map.parent / uploaded["file"]).is_file(), "file names the script the map belongs to"
    assert {k: v for k, v in uploaded.items() if k != "file"} == {k: v for k, v in made.items() if k != "file"}
