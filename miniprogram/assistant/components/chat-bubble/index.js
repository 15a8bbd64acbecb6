/** One message in the chat: the assistant on the left, the patient on the right. */
Component({
  options: { addGlobalClass: true },
  properties: {
    role: { type: String, value: 'assistant' },
    text: { type: String, value: '' },
    failed: { type: Boolean, value: false },
  },
})
