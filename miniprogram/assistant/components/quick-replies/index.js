/**
 * The assistant's suggested answers as big buttons: most people (and most older people)
 * answer with a tap. "拨打120" is always drawn as the danger button.
 */
Component({
  options: { addGlobalClass: true },
  properties: {
    replies: { type: Array, value: [] },
    disabled: { type: Boolean, value: false },
  },
  data: { items: [] },
  observers: {
    replies(list) {
      this.setData({ items: (list || []).map((text, index) => ({ text, index, danger: /120/.test(text) })) })
    },
  },
  methods: {
    onTap(event) {
      if (this.data.disabled) return
      const item = this.data.items[event.currentTarget.dataset.index]
      if (item) this.triggerEvent('choose', { reply: item.text })
    },
  },
})
