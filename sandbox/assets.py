"""The page's style and its one script (live updates), inline: no front-end build step."""

STYLE = """
body{font:15px/1.4 system-ui,sans-serif;margin:0;color:#1d1c1d}
.banner{background:#ffe08a;padding:6px 12px;font-weight:600}
header{display:flex;gap:16px;align-items:center;padding:8px 12px;background:#3f0e40;color:#fff}
header form{display:inline}
.layout{display:flex;min-height:80vh}
nav{width:220px;background:#f4ede4;padding:10px}
nav a{display:block;padding:3px 6px;color:#1d1c1d}
nav a.here{background:#1164a3;color:#fff}
main{flex:1;padding:10px 16px;max-width:900px}
.message{border-bottom:1px solid #eee;padding:8px 0}
.who{font-weight:700}.edited,.optional,.bk-context,.hint{color:#616061;font-size:13px}
.thread{margin-left:28px;border-left:3px solid #ddd;padding-left:10px}
.ephemeral{background:#f8f8f8;border-left:3px solid #1264a3;padding:6px;margin:6px 0}
.bk-fields{display:grid;grid-template-columns:1fr 1fr;gap:4px 16px;margin:4px 0}
.bk-actions{display:flex;gap:6px;flex-wrap:wrap;margin:6px 0}
.btn{border:1px solid #bbb;background:#fff;border-radius:4px;padding:3px 10px;cursor:pointer}
.btn.primary{background:#007a5a;color:#fff}.btn.danger{background:#e01e5a;color:#fff}
form.inline{display:inline}
.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
.overlay{position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;
 align-items:flex-start;justify-content:center;overflow:auto}
.modal{background:#fff;margin:40px;padding:16px 20px;border-radius:8px;width:560px}
.bk-input{margin:10px 0}.bk-input label{font-weight:700;display:block}
.bk-input input[type=text],.bk-input input[type=email],textarea,select{width:100%}
.choice{display:block;font-weight:400!important}
.field-error{color:#e01e5a}.stacked{color:#616061;font-size:13px}
.composer{margin-top:12px;display:flex;gap:6px}.composer input{flex:1;padding:6px}
.file{border:1px solid #ddd;border-radius:6px;padding:6px 10px;margin:6px 0;
 display:inline-block}
table.mail{border-collapse:collapse;width:100%}
table.mail th,table.mail td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee}
.mail-headers{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}
.mail-headers dt{font-weight:700}.mail-body{white-space:pre-wrap;margin:12px 0;
 border-left:3px solid #ddd;padding-left:10px}
.calls{font-size:12px;color:#616061}.refused{color:#e01e5a}
"""

# Live updates: the server sends the workspace's version as Server-Sent Events
# (/ui/events); on a new one the script fetches this same page and swaps each ``data-live``
# part whose HTML changed, in place. It never reloads or navigates, so it cannot cancel a
# click's own navigation; it waits while a pointer is pressed, does nothing once a form is
# on its way (that navigation brings the fresh page), applies only the answer to its latest
# fetch, and leaves alone a part holding a
# field being typed in or edited (a modal half filled in keeps what was typed).
SCRIPT = """
(function(){var v=%d,pressed=0,leaving=false,again=false,asked=0;
function editing(part){if(part.dataset.edited)return true;
 var f=document.activeElement;
 return !!(f&&part.contains(f)&&/^(INPUT|TEXTAREA|SELECT)$/.test(f.tagName)&&f.type!=='hidden')}
function refresh(){if(leaving)return;if(pressed){again=true;return}again=false;
 var mine=++asked;
 fetch(location.href,{cache:'no-store'}).then(function(r){return r.text()}).then(function(t){
  if(leaving||mine!==asked)return;if(pressed){again=true;return}
  var fresh=new DOMParser().parseFromString(t,'text/html');
  document.querySelectorAll('[data-live]').forEach(function(part){
   var next=part.id&&fresh.getElementById(part.id);
   if(next&&next.innerHTML!==part.innerHTML&&!editing(part))part.innerHTML=next.innerHTML});
 }).catch(function(){again=true})}
document.addEventListener('submit',function(){leaving=true},true);
window.addEventListener('pageshow',function(){leaving=false});
document.addEventListener('pointerdown',function(){pressed++},true);
function released(){setTimeout(function(){pressed=Math.max(0,pressed-1);
 if(again)refresh()},0)}
document.addEventListener('pointerup',released,true);
document.addEventListener('pointercancel',released,true);
document.addEventListener('input',function(e){var part=e.target.closest('[data-live]');
 if(part)part.dataset.edited='1'},true);
var events=new EventSource('/ui/events?since='+v);
events.onmessage=function(e){var n=parseInt(e.data,10);if(n!==v){v=n;refresh()}};
})();
"""
