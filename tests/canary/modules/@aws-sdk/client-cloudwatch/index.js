// Test stand-in for the AWS SDK for JavaScript v3 CloudWatch client that the Synthetics runtime's Lambda Node.js
// carries: the part the canary uses, `new CloudWatchClient({}).send(new PutMetricDataCommand(input))`. It posts
// the operation and its input, as the API names them, to the suite's stand-in CloudWatch (CLOUDWATCH_STANDIN),
// which holds them to botocore's PutMetricData model and to the canary role's policy; an error answer rejects
// with the error's code as `name`, as the SDK's service exceptions do.
'use strict';
const http = require('http');

class PutMetricDataCommand {
  constructor(input) { this.input = input; this.operation = 'PutMetricData'; }
}

class CloudWatchClient {
  constructor(config) { this.config = config || {}; }

  send(command) {
    const body = JSON.stringify({Operation: command.operation, Input: command.input});
    return new Promise((resolve, reject) => {
      const request = http.request(process.env.CLOUDWATCH_STANDIN || 'http://127.0.0.1:9/', {
        method: 'POST', headers: {'content-type': 'application/json'}, timeout: 10000,
      }, (response) => {
        let data = '';
        response.on('data', (chunk) => { data += chunk; });
        response.on('end', () => {
          const answer = JSON.parse(data || '{}');
          if (response.statusCode === 200) return resolve(answer);
          const error = new Error(answer.Message || `HTTP ${response.statusCode}`);
          error.name = answer.Code || 'UnknownError';
          reject(error);
        });
      });
      request.on('timeout', () => request.destroy(new Error('no answer from CloudWatch')));
      request.on('error', reject);
      request.end(body);
    });
  }
}

module.exports = {CloudWatchClient, PutMetricDataCommand};
