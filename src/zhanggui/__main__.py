from zhanggui.cli import main

main()
