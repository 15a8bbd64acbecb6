/**
 * Replays a recorded conversation (tests/fixtures/chat_*.json) as the backend: the start
 * reply, then each recorded turn for the message that produced it. A message the recording
 * did not have fails loudly, so the tests cannot drift from what the assistant really says.
 */
const { ok, fail } = require('./backend')
const { fixture } = require('./render')

function replay(name) {
  const recording = fixture(name)
  const conversation = recording.start.data
  const turns = recording.turns.slice()
  const sent = []
  backend.reply('POST', '/mp/conversations', conversation, 201)
  backend.reply('GET', '/mp/conversations', [])
  backend.reply('GET', '/mp/conversations/{conversation_id}', recording.resume.data)
  backend.on('POST', '/mp/conversations/{conversation_id}/messages', (request) => {
    const next = turns[0]
    if (!next || next.sent !== request.body.text) {
      return fail(409, 'unexpected_message', `recording ${name} has no reply to "${request.body.text}"`)
    }
    turns.shift()
    sent.push(request.body.text)
    return ok(next.reply.data)
  })
  return { recording, conversation, sent, remaining: () => turns.length }
}

module.exports = { replay }
