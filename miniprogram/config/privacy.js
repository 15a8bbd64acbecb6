/**
 * The privacy policy summary shown before any health data is entered. The version is sent to
 * the backend with the consent; when the hospital changes the text it raises the version and
 * everyone is asked again. Hospitals: have your data-protection officer review this text.
 */
module.exports = {
  version: '2026-12',
  title: '隐私政策',
  sections: [
    {
      heading: '我们收集哪些信息',
      body: '就诊人的姓名、证件号码、性别、出生日期和手机号；您告诉智能助手的身体情况，打字或说话都算；预约和支付记录；随访电话里的问答。',
    },
    {
      heading: '用来做什么',
      body: '用于实名挂号、帮您找到合适的科室、把病情提前告诉医生，以及发送就诊提醒。不用于广告。',
    },
    {
      heading: '怎么保护',
      body: '证件号码和手机号加密保存，页面上只显示部分数字。每一次查看和修改都有记录，可以追查。',
    },
    {
      heading: '语音和随访电话',
      body: '您按住说话时，声音只用来转成文字，转完就删掉，不保存录音。家庭医生安排的智能随访电话会录音，录音和通话文字加密保存180天，到期自动删除，只有您的家庭医生和所在医院能看。语音由医院自己的服务器或医院签约的语音服务转成文字。',
    },
    {
      heading: '给谁看',
      body: '只给为您看病的医院和医生。智能助手需要时，会先去掉姓名、证件号等信息再处理。',
    },
    {
      heading: '您的权利',
      body: '您可以随时查看、修改手机号或删除就诊人。有疑问请拨打医院电话咨询。',
    },
  ],
}
