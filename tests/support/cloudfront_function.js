// A CloudFront Function's code, checked and run the way CloudFront would, for the tests.
//
//   node cloudfront_function.js lint FILE MODULES   -> JSON list of findings ([] when clean)
//   node cloudfront_function.js serve FILE MODULES  -> for each stdin line (a viewer-request event), one line:
//                                                       the function's result as JSON (or {"error": ...})
//
// The rules are AWS's "JavaScript runtime 2.0 features for CloudFront Functions" (CloudFront Developer
// Guide): ES 5.1 plus the listed later features (const/let, async/await in the handler only, arrow
// functions, rest parameters, template literals); statements limited to the listed ones; no dynamic code
// (eval, Function), no timers, no process, file system or network; require() only of the built-in modules
// (MODULES, from rumcfn.facts); console.log takes one argument. The code is parsed by esprima (ES2017), and
// run in a fresh V8 context that has only the globals below, with the handler called as CloudFront calls it.
'use strict';
const fs = require('fs');
const vm = require('vm');
const readline = require('readline');
const esprima = require('esprima');

const [mode, file, modules] = process.argv.slice(2);
const code = fs.readFileSync(file, 'utf8');
const allowedModules = new Set(JSON.parse(modules));

const STATEMENTS = new Set([
  'BlockStatement', 'BreakStatement', 'ContinueStatement', 'DoWhileStatement', 'EmptyStatement',
  'ExpressionStatement', 'ForStatement', 'ForInStatement', 'FunctionDeclaration', 'IfStatement',
  'LabeledStatement', 'ReturnStatement', 'SwitchStatement', 'ThrowStatement', 'TryStatement',
  'VariableDeclaration', 'WhileStatement',
]);
const UNSUPPORTED_NODES = {
  ClassDeclaration: 'classes', ClassExpression: 'classes', ForOfStatement: 'for...of',
  WithStatement: 'with', YieldExpression: 'generators', SpreadElement: 'spread syntax',
  DebuggerStatement: 'debugger', MetaProperty: 'new.target',
};
const FORBIDDEN_GLOBALS = {
  eval: 'dynamic code evaluation', Function: 'dynamic code evaluation', setTimeout: 'timers',
  setInterval: 'timers', setImmediate: 'timers', clearTimeout: 'timers', clearInterval: 'timers',
  process: 'process access', fetch: 'network access', XMLHttpRequest: 'network access',
  WebSocket: 'network access', importScripts: 'network access',
};

function lint(source) {
  const findings = [];
  let program;
  try {
    program = esprima.parseScript(source, {loc: true});
  } catch (error) {
    return [`not a script the runtime can parse: ${error.message}`];
  }
  const at = (node) => `line ${node.loc.start.line}`;
  const declared = new Set();
  const walk = (node, parent, depth) => {
    if (!node || typeof node.type !== 'string') return;
    if (/Statement$|Declaration$/.test(node.type) && !STATEMENTS.has(node.type) && !UNSUPPORTED_NODES[node.type]) {
      findings.push(`${at(node)}: ${node.type} is not among the runtime's statements`);
    }
    if (UNSUPPORTED_NODES[node.type]) findings.push(`${at(node)}: ${UNSUPPORTED_NODES[node.type]} are not supported`);
    if (/Function/.test(node.type)) {
      if (node.generator) findings.push(`${at(node)}: generators are not supported`);
      if (node.async && !(node.type === 'FunctionDeclaration' && depth === 0)) {
        findings.push(`${at(node)}: async is supported for the handler only (no async closures)`);
      }
      (node.params || []).forEach((param) => param.type === 'Identifier' && declared.add(param.name));
    }
    if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier') declared.add(node.id.name);
    if (node.type === 'Identifier' && FORBIDDEN_GLOBALS[node.name] && !declared.has(node.name)) {
      const property = parent && parent.type === 'MemberExpression' && parent.property === node && !parent.computed;
      const key = parent && parent.type === 'Property' && parent.key === node;
      if (!property && !key) findings.push(`${at(node)}: ${node.name} (${FORBIDDEN_GLOBALS[node.name]}) is not supported`);
    }
    if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === 'require') {
      const [name] = node.arguments;
      if (!name || name.type !== 'Literal' || !allowedModules.has(name.value)) {
        findings.push(`${at(node)}: require() only of ${[...allowedModules].join(', ')}`);
      }
    }
    if (node.type === 'CallExpression' && node.callee.type === 'MemberExpression' &&
        node.callee.object.name === 'console' && node.arguments.length !== 1) {
      findings.push(`${at(node)}: console.log takes one argument (no comma syntax)`);
    }
    for (const key of Object.keys(node)) {
      if (key === 'loc') continue;
      const child = node[key];
      const inner = depth + (/Function/.test(node.type) ? 1 : 0);
      if (Array.isArray(child)) child.forEach((c) => walk(c, node, inner));
      else if (child && typeof child.type === 'string') walk(child, node, inner);
    }
  };
  walk(program, null, 0);
  const handlers = program.body.filter((n) => n.type === 'FunctionDeclaration' && n.id.name === 'handler');
  if (handlers.length !== 1 || handlers[0].params.length !== 1) {
    findings.push('the code must declare one top-level function handler(event)');
  }
  return findings;
}

async function serve(source) {
  const builtins = {buffer: {Buffer}, querystring: require('querystring'), crypto: require('crypto')};
  const context = vm.createContext({
    console: {log: (message) => process.stderr.write(`function log: ${message}\n`)},
    require: (name) => {
      if (!allowedModules.has(name)) throw new Error(`Cannot find module '${name}'`);
      return builtins[name];
    },
  });
  vm.runInContext(source, context, {filename: 'function.js'});
  const handler = vm.runInContext('handler', context);
  const lines = readline.createInterface({input: process.stdin});
  for await (const line of lines) {
    let result;
    try {
      result = await handler(JSON.parse(line));
    } catch (error) {
      result = {error: String(error)};
    }
    process.stdout.write(JSON.stringify(result === undefined ? null : result) + '\n');
  }
}

if (mode === 'lint') {
  process.stdout.write(JSON.stringify(lint(code)) + '\n');
} else if (mode === 'serve') {
  serve(code);
} else {
  process.stderr.write('usage: node cloudfront_function.js lint|serve FILE MODULES\n');
  process.exit(2);
}
