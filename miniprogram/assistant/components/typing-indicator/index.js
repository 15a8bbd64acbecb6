/** Shown while the assistant is answering, so a slow network never looks like a dead app. */
Component({
  options: { addGlobalClass: true },
  properties: {
    label: { type: String, value: '助手正在回复' },
  },
})
